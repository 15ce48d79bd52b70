package org.calicoledger.felix.dataplane.wireguard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;
import org.calicoledger.felix.kernel.HostCommands;

/**
 * This node's WireGuard key pair. The private key lives in {@code <runDir>/wireguard/private.key}, created with mode
 * 0600 (never readable by others, not even for an instant) and reused across restarts, so peers keep trusting the
 * node; {@code wg genkey} makes it and {@code wg pubkey} derives the public key. A file that does not hold a key is an
 * error naming the file, never silently replaced (peers would lose the node).
 */
public record WireguardKeys(String privateKey, String publicKey) {
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=");

  public static Path file(Path runDir) {
    return runDir.resolve("wireguard").resolve("private.key");
  }

  public static WireguardKeys loadOrCreate(Path runDir, HostCommands cmd) throws IOException {
    Path f = file(runDir);
    Files.createDirectories(f.getParent());
    if (!Files.exists(f)) {
      String key = cmd.must(null, "wg", "genkey").out().strip();
      try {
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(f, key + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      } catch (FileAlreadyExistsException raced) {
        // another writer made it first: use theirs
      }
    }
    String priv = Files.readString(f, StandardCharsets.US_ASCII).strip();
    if (!KEY.matcher(priv).matches()) {
      throw new IOException("WireGuard private key file " + f + " does not hold a base64 Curve25519 key; "
          + "delete it to have Felix make a new one (peers then learn the new public key from the Node)");
    }
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    String pub = cmd.mustSecret(priv + "\n", "wg", "pubkey").out().strip();
    return new WireguardKeys(priv, pub);
  }

  @Override
  public String toString() {
    return "WireguardKeys[public=" + publicKey + "]"; // never the private key in logs
  }
}
