package org.calicoledger.bird.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace for one BGP peer, joined to the test JVM's own namespace by a veth pair: the JVM side holds
 * {@code 10.99.N.1/24} and {@code fd99:N::1/64}, the peer side {@code 10.99.N.2/24} and {@code fd99:N::2/64}.
 *
 * <p>Only inside the namespace the bird module's Failsafe JVM runs in ({@code src/test/netns-jvm/bin/java} sets
 * {@code BGP_IT_NETNS}): creating veths in the host's root namespace is refused. {@link #close} kills what still runs
 * in the peer namespace (only processes the test started there) and deletes it, which removes the veth pair too.
 */
public final class PeerNamespace implements AutoCloseable {
  private static final AtomicInteger NEXT = new AtomicInteger(1);
  private final String name;
  private final int n;

  private PeerNamespace(String name, int n) {
    this.name = name;
    this.n = n;
  }

  public static PeerNamespace create() throws Exception {
    if (System.getenv("BGP_IT_NETNS") == null) {
      throw new IllegalStateException("bird ITs must run in their own network namespace (Failsafe's jvm is "
          + "bird/src/test/netns-jvm/bin/java); refusing to create interfaces in the host's root namespace");
    }
    int n = NEXT.getAndIncrement();
    String ns = "bgp-" + ProcessHandle.current().pid() + "-" + n;
    PeerNamespace p = new PeerNamespace(ns, n);
    try {
      must("ip", "netns", "add", ns);
      must("ip", "link", "add", "bgpj" + n, "type", "veth", "peer", "name", "eth0", "netns", ns);
      must("ip", "addr", "add", "10.99." + n + ".1/24", "dev", "bgpj" + n);
      must("ip", "addr", "add", "fd99:" + n + "::1/64", "dev", "bgpj" + n, "nodad");
      must("ip", "link", "set", "bgpj" + n, "up");
      must("ip", "-n", ns, "link", "set", "lo", "up");
      must("ip", "-n", ns, "addr", "add", "10.99." + n + ".2/24", "dev", "eth0");
      must("ip", "-n", ns, "addr", "add", "fd99:" + n + "::2/64", "dev", "eth0", "nodad");
      must("ip", "-n", ns, "link", "set", "eth0", "up");
    } catch (Exception e) {
      p.close();
      throw e;
    }
    return p;
  }

  public String name() {
    return name;
  }

  public String ourV4() {
    return "10.99." + n + ".1";
  }

  public String peerV4() {
    return "10.99." + n + ".2";
  }

  public String ourV6() {
    return "fd99:" + n + "::1";
  }

  public String peerV6() {
    return "fd99:" + n + "::2";
  }

  public static String must(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  @Override
  public void close() {
    try {
      String pids = must("ip", "netns", "pids", name);
      List<String> cmd = new ArrayList<>(List.of("kill", "-9"));
      pids.lines().filter(l -> !l.isBlank()).forEach(cmd::add);
      if (cmd.size() > 2) {
        new ProcessBuilder(cmd).start().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      // the namespace may already be gone
    }
    try {
      must("ip", "netns", "del", name);
    } catch (Exception e) {
      // already gone
    }
  }
}
