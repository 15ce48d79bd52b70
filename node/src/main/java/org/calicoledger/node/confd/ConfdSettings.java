package org.calicoledger.node.confd;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where confd and BIRD keep their files on this node.
 *
 * @param dir {@code CALICO_CONFD_DIR}, default {@code $CALICO_RUN_DIR/confd}: the rendered files and {@code history/}
 * @param secretsDir {@code CALICO_BGP_SECRETS_DIR}, default {@code /etc/calico/bgp-secrets}: a BGP password
 *     {@code secretKeyRef {name, key}} is the file {@code <secretsDir>/<name>/<key>}
 * @param socket BIRD's control socket, {@code $CALICO_RUN_DIR/bird.ctl}
 * @param log BIRD's output, {@code $CALICO_RUN_DIR/bird.log}
 */
public record ConfdSettings(Path dir, Path secretsDir, Path socket, Path log) {
  public static final Path DEFAULT_SECRETS_DIR = Path.of("/etc/calico/bgp-secrets");

  public static ConfdSettings fromEnvironment(Map<String, String> env, Path runDir) {
    String dir = env.get("CALICO_CONFD_DIR");
    String secrets = env.get("CALICO_BGP_SECRETS_DIR");
    return new ConfdSettings(
        dir == null || dir.isBlank() ? runDir.resolve("confd") : Path.of(dir.trim()),
        secrets == null || secrets.isBlank() ? DEFAULT_SECRETS_DIR : Path.of(secrets.trim()),
        runDir.resolve("bird.ctl"), runDir.resolve("bird.log"));
  }
}
