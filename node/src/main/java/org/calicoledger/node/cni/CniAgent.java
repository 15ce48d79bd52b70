package org.calicoledger.node.cni;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.calicoledger.cni.AgentProtocol;
import org.calicoledger.cni.CniException;
import org.calicoledger.cni.JsonText;
import org.calicoledger.ipam.IpamException;
import org.calicoledger.ipam.cni.CalicoIpam;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.node.health.Metrics;
import org.calicoledger.store.StoreException;

/**
 * Answers the front ends' requests: {@code calico} (the pod's whole network, {@link WorkloadPlugin}) and
 * {@code calico-ipam} (the IPAM plugin's own code, on the agent's IPAM). The answer is what the plugin would have
 * printed and its exit code; every failure becomes a CNI error result, never a broken connection.
 */
public final class CniAgent {
  private static final System.Logger LOG = System.getLogger("calico-node");
  private final WorkloadPlugin calico;
  private final CalicoIpam.Shared ipam;
  private final Metrics metrics;

  public CniAgent(org.calicoledger.store.Store store, CalicoIpam.Shared ipam, String node, String interfacePrefix,
      Metrics metrics) {
    this.ipam = ipam;
    this.metrics = metrics;
    this.calico = new WorkloadPlugin(store, new IpamStage(ipam), new PodNetwork(new IpTool()), node, interfacePrefix);
  }

  public AgentProtocol.Response handle(AgentProtocol.Request r) {
    long t0 = System.nanoTime();
    String command = r.env().getOrDefault("CNI_COMMAND", "");
    AgentProtocol.Response out = switch (r.plugin()) {
      case "calico-ipam" -> ipam(r);
      case "calico" -> calico(r);
      default -> new AgentProtocol.Response(1, new CniException(CniException.INVALID_NETWORK_CONFIG, "calico-node"
          + " serves the calico and calico-ipam plugins, not " + r.plugin(), "").toJson(null), "");
    };
    int code = out.exitCode() == 0 ? 0 : errorCode(out.stdout());
    metrics.cniRequest(r.plugin(), command, code, (System.nanoTime() - t0) / 1e9);
    LOG.log(code == 0 ? System.Logger.Level.DEBUG : System.Logger.Level.INFO, () -> r.plugin() + " " + command + " "
        + r.env().get("CNI_CONTAINERID") + ": " + (code == 0 ? "ok" : out.stdout().strip().replace('\n', ' '))
        + String.format(" (%.1f ms)", (System.nanoTime() - t0) / 1e6));
    return out;
  }

  private AgentProtocol.Response ipam(AgentProtocol.Request r) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc = CalicoIpam.run(r.env(), r.stdin(), new PrintStream(buf, true, StandardCharsets.UTF_8), ipam);
    return new AgentProtocol.Response(rc, buf.toString(StandardCharsets.UTF_8), "");
  }

  private AgentProtocol.Response calico(AgentProtocol.Request r) {
    StringBuilder stderr = new StringBuilder();
    String version = null;
    try {
      version = JsonText.field(JsonText.parse(r.stdin()), "cniVersion");
    } catch (IllegalArgumentException undecodable) {
      // PluginConf.parse reports it
    }
    try {
      PluginConf conf = PluginConf.parse(r.stdin());
      String stdout = calico.handle(new CniCall(r.env(), r.stdin(), conf, stderr));
      return new AgentProtocol.Response(0, stdout, stderr.toString());
    } catch (CniException e) {
      return new AgentProtocol.Response(1, e.toJson(version), stderr.toString());
    } catch (IpamException | StoreException e) {
      return new AgentProtocol.Response(1, CalicoIpam.translate(e).toJson(version), stderr.toString());
    } catch (InvalidResourceException e) {
      return new AgentProtocol.Response(1, new CniException(CniException.INVALID_NETWORK_CONFIG, e.getMessage(),
          "the WorkloadEndpoint built from this request is invalid").toJson(version), stderr.toString());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "calico " + r.env().get("CNI_COMMAND") + " failed", e);
      return new AgentProtocol.Response(1, new CniException(CniException.IO_FAILURE, e.getClass().getSimpleName()
          + ": " + e.getMessage(), "calico-node's log has the details").toJson(version), stderr.toString());
    }
  }

  private static int errorCode(String stdout) {
    try {
      Object o = JsonText.parse(stdout);
      if (o instanceof java.util.Map<?, ?> m && m.get("code") instanceof Double d) {
        return d.intValue();
      }
    } catch (IllegalArgumentException notJson) {
      // counted as unknown
    }
    return -1;
  }
}
