package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.Test;

/** The Calico docs' pipeline, run through the real bin/calicoctl launcher in a shell, as a user types it. */
class PipelineIT {
  static final Path ROOT = Path.of(System.getProperty("calico.repo.root", "..")).toAbsolutePath().normalize();

  record Shell(int code, String out, String err) {}

  static Shell sh(EtcdProcess etcd, String script) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-o", "pipefail", "-c", script).directory(ROOT.toFile());
    pb.environment().put("ETCD_ENDPOINTS", etcd.endpoint());
    pb.environment().put("CALICO_NO_SETUP", "1"); // the build under test is the one Maven just packaged
    pb.environment().put("PATH", ROOT.resolve("bin") + ":" + System.getenv("PATH"));
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + script);
    }
    return new Shell(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void getSedApplyPipelineTurnsNatOutgoingOff() throws Exception {
    assertThat(ROOT.resolve("cli/target/calicoctl.jar")).exists();
    try (EtcdProcess etcd = EtcdProcess.start(); EtcdStore store = EtcdStore.connect(etcd.config())) {
      Path pool = Files.createTempFile("pool", ".yaml");
      try {
        Files.writeString(pool, "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: default-ipv4-ippool\n"
            + "spec:\n  cidr: 192.168.0.0/16\n  ipipMode: Always\n  natOutgoing: true\n");
        Shell create = sh(etcd, "calicoctl create -f " + pool);
        assertThat(create.err()).isEmpty();
        assertThat(create.out()).isEqualTo("Successfully created 1 'IPPool' resource(s)\n");

        Shell pipeline = sh(etcd, "calicoctl get ippool default-ipv4-ippool -o yaml | "
            + "sed -e \"s/natOutgoing: true/natOutgoing: false/\" | calicoctl apply -f -");
        assertThat(pipeline.code()).isZero();
        assertThat(pipeline.err()).isEmpty();
        assertThat(pipeline.out()).isEqualTo("Successfully applied 1 'IPPool' resource(s)\n");
        IPPool after = (IPPool) store.get(ResourceKey.of(Kind.IP_POOL, "default-ipv4-ippool")).orElseThrow();
        assertThat(after.spec().natOutgoing()).isFalse();
        assertThat(after.spec().ipipMode()).isEqualTo("Always");

        Shell bad = sh(etcd, "echo 'kind: [' | calicoctl apply -f -");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("malformed YAML");
      } finally {
        Files.deleteIfExists(pool);
      }
    }
  }
}
