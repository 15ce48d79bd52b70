package org.calicoledger.node.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.calicoledger.cni.CniException;
import org.calicoledger.cni.CniVersion;
import org.calicoledger.ipam.cni.CniResult;
import org.calicoledger.model.Kind;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.Profile;
import org.calicoledger.model.Rule;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;

/**
 * The {@code calico} plugin's ADD, DEL and CHECK, run in the agent.
 *
 * <h2>ADD</h2>
 * IPAM and, at the same time, the pod's veth pair (which needs no address); then, at the same time, the addresses
 * and routes on both sides ({@link PodNetwork}) and the WorkloadEndpoint (with its profile, created when missing).
 * When a step fails, what was done is undone: the endpoint if this ADD created it, the interfaces, and the address
 * last, so an address is never free while an interface still carries it. A repeated ADD for a container that
 * already has its endpoint rebuilds the interfaces and keeps its addresses (a failure then keeps them too: they
 * belong to the existing endpoint).
 *
 * <h2>DEL</h2>
 * Idempotent: the pod's interface (its veth peer and host routes go with it), then the endpoint and the address
 * together; a missing namespace, interface, endpoint or allocation is success. When the endpoint of that name
 * belongs to another container (a Kubernetes pod re-created under the same name), the endpoint and the host
 * interface, which is named after the pod and so now the new sandbox's, are left alone: only this container's
 * interface and address go.
 *
 * <h2>CHECK</h2>
 * Compares the endpoint, {@code prevResult}, IPAM and the kernel's interfaces, sysctls and routes on both sides with
 * what ADD sets up, and reports every difference in one error (code 102).
 *
 * <p>Requests for one workload (same host interface name) are serialized; different workloads run in parallel.
 */
final class WorkloadPlugin {
  private static final int STRIPES = 64;
  private final Store store;
  private final IpamStage ipam;
  private final PodNetwork net;
  private final String node;
  private final String interfacePrefix;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
  private final Set<String> knownProfiles = ConcurrentHashMap.newKeySet();
  private final ExecutorService async = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "cni-async");
    t.setDaemon(true);
    return t;
  });

  WorkloadPlugin(Store store, IpamStage ipam, PodNetwork net, String node, String interfacePrefix) {
    this.store = store;
    this.ipam = ipam;
    this.net = net;
    this.node = node;
    this.interfacePrefix = interfacePrefix;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** Runs the call's command; returns what to print on stdout (empty for DEL and CHECK). */
  String handle(CniCall c) {
    WorkloadIds ids = ids(c);
    ReentrantLock lock = locks[Math.floorMod(ids.hostInterface(interfacePrefix).hashCode(), STRIPES)];
    lock.lock();
    try {
      return switch (c.command()) {
        case "ADD" -> add(c, ids);
        case "DEL" -> {
          del(c, ids);
          yield "";
        }
        case "CHECK" -> {
          check(c, ids);
          yield "";
        }
        default -> throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_COMMAND " + c.command()
            + " is not supported", "calico supports ADD, DEL, CHECK and VERSION");
      };
    } finally {
      lock.unlock();
    }
  }

  private WorkloadIds ids(CniCall c) {
    String confNode = c.conf().net().nodename();
    if (confNode != null && !confNode.isEmpty() && !confNode.equals(node)) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "nodename \"" + confNode + "\" is not the node of"
          + " the calico-node agent that received the request (" + node + ")",
          "fix \"nodename\", or point node_agent_socket at that node's agent");
    }
    return WorkloadIds.of(c.env(), node, c.conf().net().name());
  }

  private String add(CniCall c, WorkloadIds ids) {
    PodNetwork.requireNetns(c.netns());
    ResourceKey key = new ResourceKey(Kind.WORKLOAD_ENDPOINT, ids.namespace(), ids.endpointName());
    String host = ids.hostInterface(interfacePrefix);
    Steps steps = new Steps("ADD " + ids.containerId());
    // IPAM, the endpoint's read and the veth pair do not depend on one another: they overlap.
    CompletableFuture<Optional<WorkloadEndpoint>> existingF = CompletableFuture.supplyAsync(
        () -> store.get(key).map(WorkloadEndpoint.class::cast), async);
    CompletableFuture<PodNetwork.Setup> linkF = CompletableFuture.supplyAsync(
        () -> net.link(host, c.netns(), ids.ifName(), c.conf().mtu()), async);
    List<Cidr> addresses;
    try {
      addresses = ipam.add(c);
    } catch (RuntimeException e) {
      undoLink(linkF, host, c, ids, e);
      throw e;
    }
    steps.done("ipam");
    boolean repeated = false;
    CompletableFuture<WorkloadEndpoint> written = null;
    try {
      Optional<WorkloadEndpoint> existing = join(existingF);
      repeated = existing.isPresent() && ids.containerId().equals(existing.get().spec().containerID());
      PodNetwork.Setup s = join(linkF);
      steps.done("link");
      // the endpoint needs only the addresses and the pair's names and MAC: it is written while they are configured
      WorkloadEndpoint wep = endpoint(ids, addresses, s, existing);
      Audit audit = new Audit("calico-node@" + node, "CNI ADD " + ids.containerId());
      written = CompletableFuture.supplyAsync(() -> {
        ensureProfile(ids, c.conf().net().name());
        return existing.isPresent() ? store.update(wep, audit) : store.create(wep, audit);
      }, async);
      net.address(s, c.netns(), ids.ifName(), addresses, c.conf().allowIpForwarding(), async);
      steps.done("addresses");
      join(written);
      steps.done("endpoint");
      steps.log();
      return CniResult.write(result(c.conf().cniVersion(), ids.ifName(), c.netns(), addresses, s));
    } catch (RuntimeException e) {
      undoEndpoint(written, key, existingF, e);
      undoLink(linkF, host, c, ids, e);
      if (!repeated) {
        ipam.delQuietly(c);
      }
      if (e instanceof StoreException.Conflict || e instanceof StoreException.AlreadyExists) {
        throw new CniException(CniException.TRY_AGAIN_LATER, "WorkloadEndpoint " + key + " changed while this ADD"
            + " was writing it", "another request for the same workload ran at the same time; retry the ADD");
      }
      throw e;
    }
  }

  /**
   * Deletes the endpoint this ADD created (once its write has finished); an endpoint that existed before is left as
   * updated, since it still names this workload.
   */
  private void undoEndpoint(CompletableFuture<WorkloadEndpoint> written, ResourceKey key,
      CompletableFuture<Optional<WorkloadEndpoint>> existingF, RuntimeException cause) {
    if (written == null) {
      return;
    }
    try {
      WorkloadEndpoint w = written.handle((v, e) -> e == null ? v : null).join();
      if (w != null && existingF.join().isEmpty()) {
        store.delete(key, w.metadata().revision(), new Audit("calico-node@" + node, "undo failed CNI ADD "
            + w.spec().containerID()));
      }
    } catch (RuntimeException undo) {
      cause.addSuppressed(undo);
    }
  }

  /** Removes the veth pair (once its creation has finished, whether or not it succeeded). */
  private void undoLink(CompletableFuture<PodNetwork.Setup> linkF, String host, CniCall c, WorkloadIds ids,
      RuntimeException cause) {
    try {
      linkF.handle((s, e) -> null).join();
      net.remove(host, c.netns(), ids.ifName());
    } catch (RuntimeException undo) {
      cause.addSuppressed(undo);
    }
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private void del(CniCall c, WorkloadIds ids) {
    ResourceKey key = new ResourceKey(Kind.WORKLOAD_ENDPOINT, ids.namespace(), ids.endpointName());
    Steps steps = new Steps("DEL " + ids.containerId());
    CompletableFuture<Optional<WorkloadEndpoint>> existingF = CompletableFuture.supplyAsync(
        () -> store.get(key).map(WorkloadEndpoint.class::cast), async);
    net.removePodSide(c.netns(), ids.ifName());
    Optional<WorkloadEndpoint> existing = join(existingF);
    String owner = existing.map(w -> w.spec().containerID()).orElse(null);
    boolean ours = owner == null || owner.isEmpty() || owner.equals(ids.containerId());
    if (ours) {
      net.removeHostSide(existing.map(w -> w.spec().interfaceName()).orElse(ids.hostInterface(interfacePrefix)));
    }
    steps.done("interfaces");
    // the interfaces are gone: the endpoint and the address can go together
    CompletableFuture<Void> endpoint = CompletableFuture.runAsync(() -> {
      if (existing.isPresent() && ours) {
        deleteEndpoint(key, existing.get(), ids);
      }
    }, async);
    try {
      ipam.del(c);
    } finally {
      join(endpoint);
    }
    steps.done("endpoint and ipam");
    steps.log();
  }

  private void deleteEndpoint(ResourceKey key, WorkloadEndpoint existing, WorkloadIds ids) {
    try {
      store.delete(key, existing.metadata().revision(), new Audit("calico-node@" + node, "CNI DEL "
          + ids.containerId()));
    } catch (StoreException.NotFound gone) {
      // deleted meanwhile: what DEL wants
    } catch (StoreException.Conflict changed) {
      throw new CniException(CniException.TRY_AGAIN_LATER, "WorkloadEndpoint " + key + " changed while this DEL"
          + " was removing it", "retry the DEL");
    }
  }

  /** Time per step of one request, logged at debug level (where the agent's time goes). */
  private static final class Steps {
    private final StringBuilder b;
    private long last = System.nanoTime();

    Steps(String what) {
      b = new StringBuilder(what).append(':');
    }

    void done(String step) {
      long now = System.nanoTime();
      b.append(String.format(" %s %.1f ms,", step, (now - last) / 1e6));
      last = now;
    }

    void log() {
      System.getLogger("calico-node").log(System.Logger.Level.DEBUG, () -> b.substring(0, b.length() - 1));
    }
  }

  private void check(CniCall c, WorkloadIds ids) {
    if (!CniVersion.hasCheck(c.conf().cniVersion())) {
      throw new CniException(CniException.INCOMPATIBLE_VERSION, "CHECK needs cniVersion 0.4.0 or later, got "
          + c.conf().cniVersion(), "");
    }
    JsonNode prev = c.conf().net().prevResult();
    if (prev == null || !prev.path("ips").isArray()) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "CHECK needs prevResult with ips",
          "the runtime passes the result of ADD as prevResult");
    }
    PodNetwork.requireNetns(c.netns());
    ResourceKey key = new ResourceKey(Kind.WORKLOAD_ENDPOINT, ids.namespace(), ids.endpointName());
    WorkloadEndpoint wep = store.get(key).map(WorkloadEndpoint.class::cast)
        .filter(w -> ids.containerId().equals(w.spec().containerID()))
        .orElseThrow(() -> new CniException(CniException.UNKNOWN_CONTAINER, "container " + ids.containerId()
            + " has no WorkloadEndpoint " + key, "ADD was not run for it on node " + node + ", or DEL removed it"));
    List<Cidr> addresses = new ArrayList<>();
    for (String n : wep.spec().ipNetworks() == null ? List.<String>of() : wep.spec().ipNetworks()) {
      addresses.add(Cidr.parse(n));
    }
    List<String> diffs = new ArrayList<>();
    List<String> prevIps = new ArrayList<>();
    for (JsonNode ip : prev.path("ips")) {
      Cidr a = Cidr.parse(ip.path("address").asText());
      prevIps.add(PodNetwork.hostRoute(Cidr.of(a.address(), a.bits())));
    }
    List<String> wepIps = addresses.stream().map(PodNetwork::hostRoute).toList();
    if (!prevIps.containsAll(wepIps) || !wepIps.containsAll(prevIps)) {
      diffs.add("prevResult has addresses " + prevIps + ", the WorkloadEndpoint " + wepIps);
    }
    try {
      ipam.check(c);
    } catch (CniException e) {
      diffs.add("IPAM: " + e.getMessage() + (e.details().isEmpty() ? "" : " (" + e.details() + ")"));
    }
    diffs.addAll(net.differences(wep.spec().interfaceName(), c.netns(), ids.ifName(), addresses, wep.spec().mac()));
    if (!diffs.isEmpty()) {
      throw new CniException(CniException.CHECK_FAILED, "container " + ids.containerId() + ": " + diffs.size()
          + " difference(s) from what ADD set up", String.join("; ", diffs));
    }
  }

  private WorkloadEndpoint endpoint(WorkloadIds ids, List<Cidr> addresses, PodNetwork.Setup s,
      Optional<WorkloadEndpoint> existing) {
    ObjectMeta meta = existing.map(WorkloadEndpoint::metadata)
        .orElse(ObjectMeta.named(ids.namespace(), ids.endpointName()));
    WorkloadEndpoint.Spec k = ids.specSkeleton();
    // labels already on the endpoint (e.g. set with calicoctl label) are kept across a repeated ADD
    return new WorkloadEndpoint(meta.withLabels(ids.labelsOver(meta.labels())), new WorkloadEndpoint.Spec(
        k.orchestrator(), k.workload(),
        k.node(), k.containerID(), k.pod(), k.endpoint(), null,
        addresses.stream().map(PodNetwork::hostRoute).toList(), null, null, null, ids.profiles(), s.hostInterface(),
        s.podMac(), null, null, null));
  }

  /**
   * The profile an endpoint names, created when missing as Calico's tools do: {@code kns.<namespace>} allowing all
   * traffic (what Calico's controllers create for a Kubernetes namespace), or, for plain CNI, the network's profile
   * allowing all egress and ingress from endpoints of the same network.
   */
  private void ensureProfile(WorkloadIds ids, String network) {
    String name = ids.profiles().get(0);
    if (knownProfiles.contains(name)) {
      return;
    }
    if (store.get(ResourceKey.of(Kind.PROFILE, name)).isEmpty()) {
      Rule allow = Rule.allow();
      Profile p = ids.kubernetes()
          ? new Profile(ObjectMeta.named(name), new Profile.Spec(List.of(allow), List.of(allow),
              Map.of("pcns.projectcalico.org/name", ids.namespace())))
          : new Profile(ObjectMeta.named(name), new Profile.Spec(List.of(new Rule("Allow", null, null, null, null,
              null, new Rule.EntityRule(null, "has(" + network + ")", null, null, null, null, null, null, null), null,
              null, null)), List.of(allow), Map.of(network, "")));
      try {
        store.create(p, new Audit("calico-node@" + node, "profile for " + (ids.kubernetes()
            ? "namespace " + ids.namespace() : "network " + network)));
      } catch (StoreException.AlreadyExists raced) {
        // created by a concurrent ADD
      }
    }
    knownProfiles.add(name);
  }

  /** The ADD result: the host and pod interfaces, the addresses (on the pod's interface, index 1), no DNS. */
  static ObjectNode result(String cniVersion, String ifName, String netns, List<Cidr> addresses,
      PodNetwork.Setup s) {
    ObjectNode ipam = CniResult.ipsTree(cniVersion, addresses);
    ObjectNode out = ipam.objectNode();
    out.put("cniVersion", cniVersion);
    ArrayNode ifs = out.putArray("interfaces");
    ifs.addObject().put("name", s.hostInterface());
    ifs.addObject().put("name", ifName).put("mac", s.podMac()).put("sandbox", netns);
    ArrayNode ips = out.putArray("ips");
    for (JsonNode ip : ipam.path("ips")) {
      ips.add(((ObjectNode) ip.deepCopy()).put("interface", 1));
    }
    out.set("dns", ipam.path("dns"));
    return out;
  }
}
