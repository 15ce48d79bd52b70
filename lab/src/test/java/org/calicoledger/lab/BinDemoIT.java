package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/demo} itself, as a person runs it (it uses the prefix {@code demo-} and {@code /var/tmp/calico-demo}, so
 * this test removes any demo running on this machine). One test, in order: {@code bin/demo --keep} passes every check
 * (exit 0, the results table, the explore commands) and leaves the cluster running; {@code bin/demo down} removes it
 * (no {@code demo-} namespace, none of its processes, no state directory, no WireGuard socket); a run killed with
 * SIGKILL after its cluster came up leaves namespaces behind, and the next {@code bin/demo} removes them first and
 * passes, leaving nothing.
 */
class BinDemoIT {
  private static final Path DEMO = Cluster.ROOT.resolve("bin/demo");
  private static final Map<String, String> ENV = Map.of("CALICO_NO_SETUP", "1"); // the build is done by Maven

  @BeforeAll
  @AfterAll
  static void noDemo() {
    Host.run(List.of(DEMO.toString(), "down"), ENV, null, Duration.ofSeconds(120));
  }

  @Test
  void keepDownInterruptedAndCleanedUp() throws Exception {
    Host.Result kept = Host.run(List.of(DEMO.toString(), "--keep"), ENV, null, Duration.ofSeconds(600));
    System.out.println(kept.out());
    assertThat(kept.code()).as("bin/demo --keep exit status; stderr: " + kept.err()).isZero();
    assertThat(kept.out()).contains("== Results", "all ", " checks passed", "bin/demo took ", "bin/demo down",
        "ip netns exec demo-infra env ETCD_ENDPOINTS=http://10.10.0.1:2379");
    for (int s = 1; s <= 6; s++) {
      assertThat(kept.out()).contains("== Step " + s + ":");
    }
    assertThat(kept.out()).doesNotContain("[FAIL]");
    List<Long> pids = pids();
    assertThat(demoNamespaces()).contains("demo-fabric", "demo-infra", "demo-inet", "demo-node-1", "demo-node-2",
        "demo-node-3", "demo-node-1-pod-1", "demo-node-3-pod-2");
    assertThat(pids).as("etcd, journal and three calico-nodes").hasSizeGreaterThanOrEqualTo(5)
        .allMatch(BinDemoIT::alive);
    // the kept cluster works after bin/demo exited
    assertThat(Host.inNs("demo-infra", Map.of("CALICO_NO_SETUP", "1", "ETCD_ENDPOINTS", "http://10.10.0.1:2379"),
        null, Duration.ofSeconds(60), Cluster.ROOT.resolve("bin/calicoctl").toString(), "get", "nodes").out())
        .contains("node-1", "node-2", "node-3");

    Host.Result down = Host.run(List.of(DEMO.toString(), "down"), ENV, null, Duration.ofSeconds(120));
    assertThat(down.code()).isZero();
    assertThat(down.out()).contains("removed ", "demo-fabric");
    assertNothingLeft(pids);

    // an interrupted run: SIGKILL once its cluster is up (no shutdown hook runs)
    Path log = Files.createTempFile("bin-demo-", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(DEMO.toString(), "--nodes", "1", "--steps", "1").redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().putAll(ENV);
      Process p = pb.start();
      p.getOutputStream().close();
      boolean up = Host.poll(Duration.ofSeconds(300), () -> Host.read(log).contains("cluster up in") || !p.isAlive());
      assertThat(up && p.isAlive()).as("bin/demo --nodes 1 came up: " + Host.read(log)).isTrue();
      List<Long> killedRun = pids();
      p.descendants().forEach(ProcessHandle::destroyForcibly); // running bin/calico, ping etc.
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      assertThat(demoNamespaces()).as("left behind by the killed run").contains("demo-fabric", "demo-node-1");

      Host.Result next = Host.run(List.of(DEMO.toString(), "--nodes", "1", "--steps", "1"), ENV, null,
          Duration.ofSeconds(600));
      System.out.println(next.out());
      assertThat(next.code()).as("the next bin/demo; stderr: " + next.err()).isZero();
      assertThat(next.out()).contains("removed an earlier demo", "== Step 1:", "checks passed")
          .doesNotContain("== Step 2:");
      assertNothingLeft(killedRun);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void aSecondDemoWhileOneRunsIsRefusedAndTouchesNothing() throws Exception {
    Path lock = Path.of("/var/tmp/calico-demo.lock");
    // the lock as a running demo holds it (flock(1) on the same file), without the minutes a real demo takes
    Process holder = new ProcessBuilder("flock", "-o", lock.toString(), "sleep", "120").start(); // -o: flock holds it
    try {
      assertThat(Host.poll(Duration.ofSeconds(10), () -> Host.run("flock", "-n", lock.toString(), "true").code() != 0))
          .as("the stand-in demo holds " + lock).isTrue();
      for (List<String> args : List.of(List.of("--nodes", "1", "--steps", "1"), List.of("down"))) {
        List<String> cmd = new ArrayList<>(List.of(DEMO.toString()));
        cmd.addAll(args);
        Host.Result r = Host.run(cmd, ENV, null, Duration.ofSeconds(60));
        assertThat(r.code()).as(String.join(" ", cmd) + ": " + r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("another bin/demo is running", lock.toString());
        assertThat(demoNamespaces()).as("nothing made").isEmpty();
      }
    } finally {
      holder.descendants().forEach(ProcessHandle::destroyForcibly);
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
    Host.Result after = Host.run(List.of(DEMO.toString(), "down"), ENV, null, Duration.ofSeconds(120));
    assertThat(after.code()).as("once the other demo ended: " + after.err()).isZero();
  }

  private static void assertNothingLeft(List<Long> pids) {
    assertThat(demoNamespaces()).isEmpty();
    assertThat(pids).noneMatch(BinDemoIT::alive);
    assertThat(DemoMain.STATE).doesNotExist();
    try (var s = Files.list(Path.of("/var/run/wireguard"))) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("wg-demo-"));
    } catch (IOException noDirectory) {
      // no wireguard-go ever ran here
    }
  }

  private static boolean alive(long pid) {
    return Host.running(pid);
  }

  private static List<String> demoNamespaces() {
    return Host.namespaces().stream().filter(n -> n.startsWith(DemoMain.PREFIX)).toList();
  }

  /** The pids the running demo recorded, plus every process inside its namespaces. */
  private static List<Long> pids() throws IOException {
    List<Long> l = new ArrayList<>();
    Path f = DemoMain.STATE.resolve("pids");
    if (Files.exists(f)) {
      Files.readAllLines(f).stream().filter(x -> !x.isBlank()).map(x -> Long.parseLong(x.strip())).forEach(l::add);
    }
    for (String ns : demoNamespaces()) {
      Host.run("ip", "netns", "pids", ns).out().lines().filter(x -> !x.isBlank())
          .map(x -> Long.parseLong(x.strip())).forEach(l::add);
    }
    return l;
  }
}
