package org.calicoledger.node.cni;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calicoledger.cni.CniArgs;
import org.calicoledger.cni.CniException;
import org.calicoledger.model.WorkloadEndpoint;

/**
 * Who a CNI request is for, and the names Calico derives from that (all pure):
 * <ul>
 *   <li>orchestrator {@code k8s} when {@code CNI_ARGS} has both {@code K8S_POD_NAMESPACE} and {@code K8S_POD_NAME},
 *       else {@code cni} in namespace {@code default};</li>
 *   <li>the WorkloadEndpoint {@code <node>-k8s-<pod>-<ifname>} or {@code <node>-cni-<containerID>-<ifname>} (dashes
 *       inside a part doubled), labelled {@code projectcalico.org/namespace} and
 *       {@code projectcalico.org/orchestrator} as Calico's plugin does, and {@code calicoledger.org/pod} with
 *       {@code K8S_POD_NAME} when {@code CNI_ARGS} has one (see {@link #LABEL_POD});</li>
 *   <li>the host-side interface: the prefix ({@code cali}) and the first 11 hex digits of the SHA-1 of
 *       {@code <namespace>.<pod>} for Kubernetes, or the first 11 characters of the container ID otherwise, so at most
 *       15 characters (the kernel's limit);</li>
 *   <li>the IPAM handle {@code <network>.<containerID>};</li>
 *   <li>the profiles: {@code kns.<namespace>} for Kubernetes, the network's name otherwise.</li>
 * </ul>
 */
public record WorkloadIds(String node, String orchestrator, String namespace, String pod, String containerId,
    String ifName, String network, String podName) {
  public static final String LABEL_NAMESPACE = "projectcalico.org/namespace";
  public static final String LABEL_ORCHESTRATOR = "projectcalico.org/orchestrator";
  /**
   * Ours, not Calico's (Calico's plugin sets no such label): the pod name from {@code CNI_ARGS K8S_POD_NAME}, so that
   * policy selectors can pick one pod ({@code calicoledger.org/pod == 'web-0'}), also for plain CNI containers that
   * pass a pod name without a namespace. Left out when the name is not a valid label value (a pod name may be up to
   * 253 characters, a label value at most 63).
   */
  public static final String LABEL_POD = "calicoledger.org/pod";
  private static final java.util.regex.Pattern LABEL_VALUE =
      java.util.regex.Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  static final int IFNAMSIZ = 15;

  /** From the request's environment; error 4 naming the variable when one is missing or unusable. */
  public static WorkloadIds of(Map<String, String> env, String node, String network) {
    String cid = env.getOrDefault("CNI_CONTAINERID", "");
    if (cid.isBlank()) {
      throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID is not set",
          "the runtime must set CNI_CONTAINERID to the container's ID");
    }
    if (!cid.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*")) {
      throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID '" + cid + "' is not a valid ID",
          "it must start with a letter or digit and contain only letters, digits, '_', '.' and '-'");
    }
    String ifName = env.getOrDefault("CNI_IFNAME", "");
    if (ifName.isEmpty()) {
      throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_IFNAME is not set",
          "the runtime must name the interface to create in the container (e.g. eth0)");
    }
    if (ifName.length() > IFNAMSIZ || !ifName.matches("[A-Za-z0-9_.\\-]+") || ifName.equals(".")
        || ifName.equals("..")) {
      throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_IFNAME '" + ifName + "' is not an interface name",
          "at most 15 characters: letters, digits, '_', '.' and '-'");
    }
    Map<String, String> args = CniArgs.parse(env);
    String ns = args.getOrDefault("K8S_POD_NAMESPACE", "");
    String pod = args.getOrDefault("K8S_POD_NAME", "");
    String podName = pod.isEmpty() ? null : pod;
    if (!ns.isEmpty() && !pod.isEmpty()) {
      return new WorkloadIds(node, "k8s", ns, pod, cid, ifName, network, podName);
    }
    return new WorkloadIds(node, "cni", "default", null, cid, ifName, network, podName);
  }

  public boolean kubernetes() {
    return orchestrator.equals("k8s");
  }

  /** The WorkloadEndpoint's name, as Calico computes it. */
  public String endpointName() {
    return WorkloadEndpoint.expectedName(specSkeleton());
  }

  WorkloadEndpoint.Spec specSkeleton() {
    return new WorkloadEndpoint.Spec(orchestrator, null, node, containerId, pod, ifName, null, null, null, null, null,
        null, null, null, null, null, null);
  }

  /** The host side of the pod's veth; {@code prefix} is Felix's interface prefix ({@code cali} by default). */
  public String hostInterface(String prefix) {
    String suffix = kubernetes() ? sha1Hex(namespace + "." + pod).substring(0, 11)
        : containerId.substring(0, Math.min(11, containerId.length()));
    String name = prefix + suffix;
    return name.length() > IFNAMSIZ ? name.substring(0, IFNAMSIZ) : name;
  }

  public String handle() {
    return network + "." + containerId;
  }

  public List<String> profiles() {
    return List.of(kubernetes() ? "kns." + namespace : network);
  }

  /** The labels the plugin stores on every endpoint: Calico's two, and {@link #LABEL_POD} when there is a pod name. */
  public Map<String, String> labels() {
    Map<String, String> l = new TreeMap<>();
    l.put(LABEL_NAMESPACE, namespace);
    l.put(LABEL_ORCHESTRATOR, orchestrator);
    if (podName != null && LABEL_VALUE.matcher(podName).matches()) {
      l.put(LABEL_POD, podName);
    }
    return l;
  }

  /**
   * The labels for an ADD of an endpoint that has {@code existing} ones (empty for a new endpoint): every existing
   * label is kept (those set with {@code calicoctl label} survive a repeated ADD), and the plugin's own
   * {@link #labels()} are set over them.
   */
  public Map<String, String> labelsOver(Map<String, String> existing) {
    Map<String, String> l = new TreeMap<>(existing);
    l.putAll(labels());
    return l;
  }

  static String sha1Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }
}
