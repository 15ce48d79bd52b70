package org.calicoledger.confd.bird;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BirdSupervisor} and {@link BirdControl} against real BIRD 2, run in a network namespace this test creates
 * ({@code cfd-<pid>-sup-N}; through a wrapper script given as the BIRD command) so that nothing touches the host.
 */
class BirdSupervisorIT {
  static int count;
  String ns;
  Path dir;
  BirdSupervisor sup;

  @BeforeEach
  void setUp() throws Exception {
    ns = "cfd-" + ProcessHandle.current().pid() + "-sup-" + (++count);
    dir = Files.createTempDirectory(ns + "-");
    sh("ip", "netns", "add", ns);
    Path wrapper = dir.resolve("bird-in-ns");
    Files.writeString(wrapper, "#!/bin/sh\nexec ip netns exec " + ns + " bird \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
    config("protocol static s1 { ipv4; route 10.1.0.0/24 blackhole; }\n");
    sup = new BirdSupervisor(wrapper.toString(), dir.resolve("bird.cfg"),
        new BirdControl("birdc", dir.resolve("bird.ctl")), dir.resolve("bird.log"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (sup != null) {
      sup.stop();
    }
    for (String pid : sh("ip", "netns", "pids", ns).split("\n")) {
      if (!pid.isBlank()) {
        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    sh("ip", "netns", "del", ns);
    try (Stream<Path> w = Files.walk(dir)) {
      w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    assertThat(sh("ip", "netns", "list")).doesNotContain(ns);
  }

  void config(String protocols) throws IOException {
    Files.writeString(dir.resolve("bird.cfg"), "router id 10.9.9.9;\n" + protocols, StandardCharsets.UTF_8);
  }

  static String sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  static void await(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  Optional<BirdProtocols.Row> protocol(String name) {
    try {
      return sup.control().showProtocols().stream().filter(r -> r.name().equals(name)).findFirst();
    } catch (IOException | InterruptedException e) {
      return Optional.empty();
    }
  }

  @Test
  void startsReloadsRestartsAndStops() throws Exception {
    sup.start();
    await("BIRD up", sup::running);
    await("s1", () -> protocol("s1").isPresent());
    long pid = sup.process().pid();
    String since = protocol("s1").orElseThrow().since();
    Thread.sleep(1100); // a later second, so a restarted s1 would show another time

    config("protocol static s1 { ipv4; route 10.1.0.0/24 blackhole; }\n"
        + "protocol static s2 { ipv4; route 10.2.0.0/24 blackhole; }\n");
    assertThat(sup.reload()).isTrue();
    await("s2", () -> protocol("s2").isPresent());
    assertThat(sup.process().pid()).as("configure, not a restart").isEqualTo(pid);
    assertThat(protocol("s1").orElseThrow().since()).as("unchanged s1 kept").isEqualTo(since);

    // a configuration BIRD refuses: reload says why, BIRD keeps the old one
    config("protocol static s1 { ipv4; route 10.1.0.0/24 blackhole; }\nthis is not bird\n");
    assertThatThrownBy(sup::reload).isInstanceOf(IOException.class).hasMessageContaining("birdc configure failed")
        .hasMessageContaining("bird.cfg");
    assertThat(protocol("s2")).isPresent();

    config("protocol static s3 { ipv4; route 10.3.0.0/24 blackhole; }\n");
    sh("kill", "-9", Long.toString(pid));
    await("a restarted BIRD", () -> sup.starts() == 2 && sup.running());
    await("s3 from the files as they are", () -> protocol("s3").isPresent());
    assertThat(protocol("s1")).isEmpty();
    // bird.pid names BIRD itself (the wrapper execs ip netns exec, which execs bird: one process)
    assertThat(Files.readString(dir.resolve("bird.pid")).strip()).isEqualTo(Long.toString(sup.process().pid()));

    Process last = sup.process();
    sup.stop();
    assertThat(last.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(sup.running()).isFalse();
    Thread.sleep(1500); // longer than the first restart backoff: nothing starts again
    assertThat(sup.starts()).isEqualTo(2);
    assertThat(sh("ip", "netns", "pids", ns).strip()).isEmpty();
  }

  @Test
  void aBirdLeftByAnEarlierSupervisorIsStoppedFirst() throws Exception {
    sup.start();
    await("BIRD up", sup::running);
    long orphan = Long.parseLong(Files.readString(dir.resolve("bird.pid")).strip());
    BirdSupervisor next = new BirdSupervisor(dir.resolve("bird-in-ns").toString(), dir.resolve("bird.cfg"),
        new BirdControl("birdc", dir.resolve("bird.ctl")), dir.resolve("bird.log"));
    sup.abandon(); // the first one is "killed": it never stops its BIRD
    sup = next;
    next.start();
    await("the orphan gone", () -> ProcessHandle.of(orphan).map(h -> !h.isAlive()).orElse(true));
    await("the new BIRD up", next::running);
    assertThat(List.of(sh("ip", "netns", "pids", ns).strip().split("\n"))).hasSize(1);
  }
}
