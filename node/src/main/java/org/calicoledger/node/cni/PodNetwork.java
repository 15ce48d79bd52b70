package org.calicoledger.node.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.calicoledger.cni.CniException;
import org.calicoledger.model.net.Cidr;

/**
 * A pod's network as Calico's CNI plugin builds it, with the real {@code ip} tool:
 * <pre>
 *   node namespace                              pod namespace (CNI_NETNS)
 *   caliXXXXXXXXXXX  ee:ee:ee:ee:ee:ee  &lt;-veth-&gt;  eth0  10.0.0.5/32
 *     proxy_arp=1, forwarding=1,                    169.254.1.1 dev eth0 scope link
 *     route_localnet=1, proxy_delay=0               default via 169.254.1.1 dev eth0
 *   10.0.0.5 dev caliXXXXXXXXXXX scope link         ip_forward=0 (unless allowed)
 * </pre>
 * The pod resolves 169.254.1.1 and every other address to the host side's MAC through proxy ARP, so all its
 * traffic goes to the node, which routes it. IPv6 addresses get {@code /128}, no DAD, and the host side's link-local
 * address as gateway.
 *
 * <p>Set-up is ordered so that a failure at any step leaves only the veth pair, which {@link #remove} deletes (with
 * the host routes: the kernel drops them with the device). The host side's MAC and the pod side's (random, locally
 * administered) are set when the pair is created, so no read-back is needed.
 */
final class PodNetwork {
  static final String HOST_MAC = "ee:ee:ee:ee:ee:ee";
  static final String GATEWAY_V4 = "169.254.1.1";
  /** The IPv6 link-local address the kernel derives from {@link #HOST_MAC} (EUI-64). */
  static final String GATEWAY_V6 = "fe80::ecee:eeff:feee:eeee";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private final IpTool ip;

  PodNetwork(IpTool ip) {
    this.ip = ip;
  }

  /** What ADD set up, for the result and the WorkloadEndpoint. */
  record Setup(String hostInterface, String podMac) {}

  /**
   * Phase one, which needs no address (so it runs while IPAM works): the veth pair, with the pod's end moved into
   * {@code netns}, the host end up with Calico's IPv4 sysctls.
   */
  Setup link(String host, String netns, String ifName, int mtu) {
    requireNetns(netns);
    if (exists(host)) {
      ip.hostQuietly(List.of("link del " + host)); // a stale pair from an earlier sandbox of this workload
    }
    String podMac = randomMac();
    String mtuOpt = mtu > 0 ? " mtu " + mtu : "";
    ip.host(List.of("link add " + host + mtuOpt + " address " + HOST_MAC + " type veth peer name " + ifName + mtuOpt
        + " address " + podMac + " netns " + netns, "link set " + host + " up"), false);
    hostSysctls(host, true, false);
    return new Setup(host, podMac);
  }

  /**
   * Phase two: the host routes to {@code addresses} and the pod's addresses, routes and sysctls. The two sides are
   * configured concurrently (one process each) on {@code async}.
   */
  void address(Setup link, String netns, String ifName, List<Cidr> addresses, boolean allowForwarding,
      Executor async) {
    String host = link.hostInterface();
    boolean v4 = addresses.stream().anyMatch(Cidr::isIpv4);
    boolean v6 = addresses.stream().anyMatch(c -> !c.isIpv4());
    List<String> hostCmds = new ArrayList<>();
    for (Cidr a : addresses) {
      hostCmds.add("route replace " + hostRoute(a) + " dev " + host + " scope link");
    }
    CompletableFuture<Void> hostSide = CompletableFuture.runAsync(() -> {
      if (v6) {
        hostSysctls(host, false, true);
      }
      ip.host(hostCmds, false);
    }, async);
    StringBuilder script = new StringBuilder();
    if (v4) {
      script.append("echo ").append(allowForwarding ? 1 : 0).append(" > /proc/sys/net/ipv4/ip_forward\n");
    }
    if (v6) {
      script.append("echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6\necho 0 > /proc/sys/net/ipv6/conf/")
          .append(ifName).append("/accept_dad\necho ").append(allowForwarding ? 1 : 0)
          .append(" > /proc/sys/net/ipv6/conf/all/forwarding\n");
    }
    List<String> podCmds = new ArrayList<>();
    for (Cidr a : addresses) {
      podCmds.add("addr add " + hostRoute(a) + " dev " + ifName + (a.isIpv4() ? "" : " nodad"));
    }
    podCmds.add("link set " + ifName + " up");
    if (v4) {
      podCmds.add("route add " + GATEWAY_V4 + " dev " + ifName + " scope link");
      podCmds.add("route add default via " + GATEWAY_V4 + " dev " + ifName);
    }
    if (v6) {
      podCmds.add("route add default via " + GATEWAY_V6 + " dev " + ifName);
    }
    RuntimeException podFailure = null;
    try {
      ip.pod(netns, script.length() == 0 ? null : script.toString().strip(), podCmds, false);
    } catch (RuntimeException e) {
      podFailure = e;
    }
    try {
      hostSide.join();
    } catch (CompletionException e) {
      RuntimeException hostFailure = e.getCause() instanceof RuntimeException r ? r : e;
      if (podFailure == null) {
        throw hostFailure;
      }
      podFailure.addSuppressed(hostFailure);
    }
    if (podFailure != null) {
      throw podFailure;
    }
  }

  /**
   * Removes the pod's interface (which takes its veth peer and the host routes with it) and the host side named
   * {@code host} if it is still there. Missing namespace or interfaces are success.
   */
  void remove(String host, String netns, String ifName) {
    removePodSide(netns, ifName);
    removeHostSide(host);
  }

  /** Deletes {@code ifName} in {@code netns}, which takes its veth peer with it; a missing one is success. */
  void removePodSide(String netns, String ifName) {
    if (netns != null && !netns.isEmpty() && Files.exists(Path.of(netns))) {
      IpTool.Result r = ip.podQuietly(netns, List.of("link del " + ifName));
      if (!r.ok() && !gone(r.err())) {
        throw new CniException(CniException.DATAPLANE_FAILURE, "cannot delete " + ifName + " in " + netns + ": "
            + r.err().strip(), "");
      }
    }
  }

  /** Deletes host interface {@code host} if it is still there (its namespace may be gone); null: nothing to do. */
  void removeHostSide(String host) {
    if (host != null && exists(host)) {
      IpTool.Result r = ip.hostQuietly(List.of("link del " + host));
      if (!r.ok() && !gone(r.err())) {
        throw new CniException(CniException.DATAPLANE_FAILURE, "cannot delete " + host + ": " + r.err().strip(), "");
      }
    }
  }

  /** Every way the pod's network differs from what ADD sets up for {@code addresses} and {@code podMac}. */
  List<String> differences(String host, String netns, String ifName, List<Cidr> addresses, String podMac) {
    List<String> diffs = new ArrayList<>();
    boolean v4 = addresses.stream().anyMatch(Cidr::isIpv4);
    try {
      NetworkInterface h = NetworkInterface.getByName(host);
      if (h == null) {
        diffs.add("host interface " + host + " is missing");
      } else {
        String mac = mac(h.getHardwareAddress());
        if (!HOST_MAC.equals(mac)) {
          diffs.add("host interface " + host + " has MAC " + mac + ", expected " + HOST_MAC);
        }
        if (!h.isUp()) {
          diffs.add("host interface " + host + " is down");
        }
        if (v4) {
          for (String s : List.of("proxy_arp", "forwarding", "route_localnet")) {
            String v = sysctl("/proc/sys/net/ipv4/conf/" + host + "/" + s);
            if (!"1".equals(v)) {
              diffs.add("net.ipv4.conf." + host + "." + s + " is " + v + ", expected 1");
            }
          }
        }
        JsonNode routes = all(ip.shell(null, "ip -j route show dev " + host + "; ip -j -6 route show dev " + host)
            .out());
        for (Cidr a : addresses) {
          if (!hasRoute(routes, a.addressString(), null, "link")) {
            diffs.add("host route " + hostRoute(a) + " dev " + host + " scope link is missing");
          }
        }
      }
    } catch (SocketException e) {
      diffs.add("cannot read host interface " + host + ": " + e.getMessage());
    }
    if (netns == null || netns.isEmpty() || !Files.exists(Path.of(netns))) {
      diffs.add("network namespace " + netns + " does not exist");
      return diffs;
    }
    IpTool.Result r = ip.shell(netns, "ip -j addr show dev " + ifName + " || echo '[]'; ip -j route show;"
        + " ip -j -6 route show");
    Iterator<JsonNode> docs = docs(r.out());
    JsonNode link = docs.hasNext() ? docs.next() : JSON.createArrayNode();
    if (link.isEmpty()) {
      diffs.add("interface " + ifName + " is missing in " + netns);
      return diffs;
    }
    JsonNode l = link.path(0);
    if (podMac != null && !podMac.equalsIgnoreCase(l.path("address").asText())) {
      diffs.add(ifName + " has MAC " + l.path("address").asText() + ", the endpoint records " + podMac);
    }
    boolean up = false;
    for (JsonNode f : l.path("flags")) {
      up |= f.asText().equals("UP");
    }
    if (!up) {
      diffs.add(ifName + " in " + netns + " is down");
    }
    List<String> have = new ArrayList<>();
    for (JsonNode a : l.path("addr_info")) {
      if (!a.path("scope").asText().equals("link")) {
        have.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
      }
    }
    List<String> want = addresses.stream().map(PodNetwork::hostRoute).toList();
    if (!have.containsAll(want) || !want.containsAll(have)) {
      diffs.add(ifName + " has addresses " + have + ", expected " + want);
    }
    JsonNode routes = docs.hasNext() ? docs.next() : JSON.createArrayNode();
    if (v4 && !hasRoute(routes, GATEWAY_V4, ifName, "link")) {
      diffs.add("route " + GATEWAY_V4 + " dev " + ifName + " scope link is missing in " + netns);
    }
    if (v4 && !hasDefault(routes, GATEWAY_V4, ifName)) {
      diffs.add("default route via " + GATEWAY_V4 + " dev " + ifName + " is missing in " + netns);
    }
    JsonNode routes6 = docs.hasNext() ? docs.next() : JSON.createArrayNode();
    if (addresses.stream().anyMatch(c -> !c.isIpv4()) && !hasDefault(routes6, GATEWAY_V6, ifName)) {
      diffs.add("IPv6 default route via " + GATEWAY_V6 + " dev " + ifName + " is missing in " + netns);
    }
    return diffs;
  }

  static void requireNetns(String netns) {
    if (netns == null || netns.isEmpty()) {
      throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_NETNS is not set",
          "the runtime must give the path of the container's network namespace");
    }
    if (!Files.exists(Path.of(netns))) {
      throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_NETNS " + netns + " does not exist",
          "the container's network namespace must exist for ADD and CHECK");
    }
  }

  static String hostRoute(Cidr a) {
    return a.addressString() + "/" + a.bits();
  }

  static boolean exists(String iface) {
    try {
      return NetworkInterface.getByName(iface) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  private static boolean gone(String err) {
    String e = err.toLowerCase(Locale.ROOT);
    return e.contains("cannot find device") || e.contains("does not exist") || e.contains("no such");
  }

  private void hostSysctls(String host, boolean v4, boolean v6) {
    if (v4) {
      write("/proc/sys/net/ipv4/conf/" + host + "/route_localnet", "1", true);
      write("/proc/sys/net/ipv4/neigh/" + host + "/proxy_delay", "0", false);
      write("/proc/sys/net/ipv4/conf/" + host + "/proxy_arp", "1", true);
      write("/proc/sys/net/ipv4/conf/" + host + "/forwarding", "1", true);
    }
    if (v6) {
      write("/proc/sys/net/ipv6/conf/" + host + "/accept_dad", "0", true);
      write("/proc/sys/net/ipv6/conf/" + host + "/disable_ipv6", "0", true);
      write("/proc/sys/net/ipv6/conf/" + host + "/proxy_ndp", "1", true);
      write("/proc/sys/net/ipv6/conf/" + host + "/forwarding", "1", true);
    }
    write("/proc/sys/net/ipv6/conf/" + host + "/accept_ra", "0", false);
  }

  /** Writes a sysctl of this process's namespace; {@code required} failures are errors, others only logged. */
  private static void write(String path, String value, boolean required) {
    try {
      Files.writeString(Path.of(path), value, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      if (required) {
        throw new CniException(CniException.DATAPLANE_FAILURE, "cannot set " + path.substring("/proc/sys/".length())
            .replace('/', '.') + "=" + value + ": " + e.getMessage(), "");
      }
      System.getLogger("calico-node").log(System.Logger.Level.DEBUG, "cannot set " + path + ": " + e);
    }
  }

  private static String sysctl(String path) {
    try {
      return Files.readString(Path.of(path)).strip();
    } catch (IOException e) {
      return "unreadable (" + e.getMessage() + ")";
    }
  }

  private static boolean hasRoute(JsonNode routes, String dst, String dev, String scope) {
    for (JsonNode r : routes) {
      if (r.path("dst").asText().equals(dst) && (dev == null || r.path("dev").asText().equals(dev))
          && r.path("scope").asText().equals(scope)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasDefault(JsonNode routes, String via, String dev) {
    for (JsonNode r : routes) {
      if (r.path("dst").asText().equals("default") && r.path("gateway").asText().equals(via)
          && r.path("dev").asText().equals(dev)) {
        return true;
      }
    }
    return false;
  }

  /** The elements of every JSON array in {@code out}, as one array. */
  private static JsonNode all(String out) {
    var all = JSON.createArrayNode();
    docs(out).forEachRemaining(d -> d.forEach(all::add));
    return all;
  }

  /** The JSON documents {@code ip -j} printed one after another (each command prints one array). */
  private static Iterator<JsonNode> docs(String out) {
    try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(out)) {
      List<JsonNode> docs = new ArrayList<>();
      while (p.nextToken() != null) {
        docs.add(p.readValueAsTree());
      }
      return docs.iterator();
    } catch (IOException e) {
      throw new CniException(CniException.DATAPLANE_FAILURE, "cannot read ip's JSON output: " + e.getMessage(), out);
    }
  }

  static String randomMac() {
    byte[] m = new byte[6];
    RANDOM.nextBytes(m);
    m[0] = (byte) ((m[0] & 0xfe) | 0x02); // unicast, locally administered
    return mac(m);
  }

  static String mac(byte[] b) {
    if (b == null) {
      return "none";
    }
    return HexFormat.ofDelimiter(":").formatHex(b);
  }
}
