package org.calicoledger.felix.dataplane.sysctl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixPart;
import org.calicoledger.felix.calc.CalcGraph;
import org.calicoledger.felix.kernel.IpTool;

/**
 * The {@code sysctls} part: {@code net.ipv4.ip_forward=1} for the node, and on every local workload interface the
 * values Calico's data plane relies on: {@code conf/<if>/proxy_arp=1}, {@code forwarding=1},
 * {@code route_localnet=1} and {@code neigh/<if>/proxy_delay=0}.
 *
 * <p>The CNI agent sets the same values on the interfaces it creates (see the node module's {@code PodNetwork}), so
 * the two never disagree; Felix checks them on every full pass (and repairs a value changed by hand) and writes only
 * the ones that differ, for new interfaces also on incremental passes. An interface that does not exist (yet) is
 * skipped. In this process's namespace the values are read and written through {@code /proc/sys} (no process); with
 * {@link IpTool#netns()} set, one shell per pass writes them all.
 */
public final class Sysctls implements FelixPart {
  private static final System.Logger LOG = System.getLogger("felix.sysctls");
  private static final Path PROC = Path.of("/proc/sys/net/ipv4");
  private final CalcGraph graph;
  private final IpTool ip;
  private Set<String> interfaces = Set.of();
  private final Set<String> done = new HashSet<>();

  public Sysctls(CalcGraph graph, IpTool ip) {
    this.graph = graph;
    this.ip = ip;
  }

  @Override
  public String name() {
    return "sysctls";
  }

  @Override
  public void onImage(ClusterImage image) {
    interfaces = graph.update(image).endpoints().keySet();
  }

  /** The sysctl paths (under {@code /proc/sys/net/ipv4}) and values wanted for interface {@code iface}. */
  static Map<String, String> forInterface(String iface) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("conf/" + iface + "/proxy_arp", "1");
    m.put("conf/" + iface + "/forwarding", "1");
    m.put("conf/" + iface + "/route_localnet", "1");
    m.put("neigh/" + iface + "/proxy_delay", "0");
    return m;
  }

  @Override
  public boolean apply(boolean full) throws IOException {
    done.retainAll(interfaces);
    Map<String, String> want = new LinkedHashMap<>();
    if (full) {
      want.put("ip_forward", "1");
    }
    List<String> todo = new ArrayList<>();
    for (String i : interfaces) {
      if (full || !done.contains(i)) {
        todo.add(i);
        want.putAll(forInterface(i));
      }
    }
    if (want.isEmpty()) {
      return false;
    }
    boolean changed = ip.netns() == null ? writeLocal(want) : writeInNamespace(want);
    done.addAll(todo);
    return changed;
  }

  private boolean writeLocal(Map<String, String> want) throws IOException {
    boolean changed = false;
    for (Map.Entry<String, String> e : want.entrySet()) {
      Path p = PROC.resolve(e.getKey());
      if (!Files.exists(p)) {
        continue; // the interface is gone (or not there yet)
      }
      if (!Files.readString(p).strip().equals(e.getValue())) {
        Files.writeString(p, e.getValue());
        LOG.log(System.Logger.Level.INFO, "set net.ipv4." + e.getKey().replace('/', '.') + "=" + e.getValue());
        changed = true;
      }
    }
    return changed;
  }

  private boolean writeInNamespace(Map<String, String> want) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, String> e : want.entrySet()) {
      String p = PROC.resolve(e.getKey()).toString();
      s.append("[ -e ").append(p).append(" ] && [ \"$(cat ").append(p).append(")\" != ").append(e.getValue())
          .append(" ] && echo ").append(e.getValue()).append(" > ").append(p).append("\n");
    }
    s.append("true\n");
    String err = ip.shell(s.toString());
    if (!err.isEmpty()) {
      throw new IllegalStateException("writing sysctls in " + ip.netns() + ": " + err);
    }
    return false;
  }
}
