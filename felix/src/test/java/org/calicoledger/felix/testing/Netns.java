package org.calicoledger.felix.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.calicoledger.felix.kernel.HostCommands;

/**
 * Network namespaces a test creates ({@code fxb-<pid>-<n>-<name>}) and always deletes ({@link #close}, also from a
 * shutdown hook): deleting a namespace removes its interfaces, routes, iptables and ipsets with it. Processes the test
 * starts inside one are the test's to stop (before close).
 */
public final class Netns implements AutoCloseable {
  private static final AtomicInteger LABS = new AtomicInteger();
  private final String id = "fxb-" + ProcessHandle.current().pid() + "-" + LABS.incrementAndGet();
  private final Set<String> created = new LinkedHashSet<>();
  private final Thread hook = new Thread(this::deleteAll, "fxb-netns-cleanup");

  public Netns() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Creates namespace {@code <id>-<name>} with loopback up and returns its full name. */
  public String add(String name) {
    String ns = id + "-" + name;
    must("ip", "netns", "add", ns);
    created.add(ns);
    must("ip", "-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  public static HostCommands in(String ns) {
    return HostCommands.inNamespace(ns);
  }

  /** Runs {@code sh -c script} in {@code ns}; returns the result (no throw). */
  public static HostCommands.Result sh(String ns, String script) {
    return HostCommands.inNamespace(ns).run(null, "sh", "-c", script);
  }

  /** As {@link #sh} but fails the test with the output when the script fails. */
  public static String must(String ns, String script) {
    HostCommands.Result r = sh(ns, script);
    if (!r.ok()) {
      throw new AssertionError("in " + ns + ": " + script + "\nexit " + r.code() + "\n" + r.out() + r.err());
    }
    return r.out();
  }

  public static void must(String... args) {
    HostCommands.Result r = HostCommands.LOCAL.run(null, args);
    if (!r.ok()) {
      throw new AssertionError(String.join(" ", args) + ": exit " + r.code() + "\n" + r.out() + r.err());
    }
  }

  /**
   * A pod as Calico's CNI plugin makes one: namespace {@code pod} gets {@code eth0} with {@code ip/32}, a link route to
   * 169.254.1.1 and the default route via it; the host side {@code hostIface} in {@code node} gets proxy ARP and a
   * {@code /32} link route.
   */
  public static void pod(String node, String pod, String hostIface, String ip) {
    must("ip", "-n", node, "link", "add", hostIface, "type", "veth", "peer", "name", "eth0", "netns", pod);
    must(node, "ip link set " + hostIface + " up && sysctl -qw net.ipv4.conf." + hostIface + ".proxy_arp=1"
        + " && sysctl -qw net.ipv4.ip_forward=1 && ip route add " + ip + "/32 dev " + hostIface + " scope link");
    must(pod, "ip addr add " + ip + "/32 dev eth0 && ip link set eth0 up"
        + " && ip route add 169.254.1.1 dev eth0 scope link && ip route add default via 169.254.1.1 dev eth0");
  }

  /** A veth between {@code a} and {@code b}: {@code aIf} with {@code aAddr} in a, {@code bIf} with {@code bAddr} in b. */
  public static void link(String a, String aIf, String aAddr, String b, String bIf, String bAddr) {
    must("ip", "-n", a, "link", "add", aIf, "type", "veth", "peer", "name", bIf, "netns", b);
    must(a, "ip addr add " + aAddr + " dev " + aIf + " && ip link set " + aIf + " up");
    must(b, "ip addr add " + bAddr + " dev " + bIf + " && ip link set " + bIf + " up");
  }

  public static boolean ping(String ns, String dst) {
    return sh(ns, "ping -c 1 -W 2 " + dst).ok();
  }

  private void deleteAll() {
    List<String> all = new ArrayList<>(created);
    for (String ns : all) {
      // a process left inside (a wireguard-go whose part was never closed) would outlive the namespace
      for (String pid : HostCommands.LOCAL.run(null, "ip", "netns", "pids", ns).out().split("\n")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      HostCommands.LOCAL.run(null, "ip", "netns", "del", ns);
      created.remove(ns);
    }
  }

  @Override
  public void close() {
    deleteAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
