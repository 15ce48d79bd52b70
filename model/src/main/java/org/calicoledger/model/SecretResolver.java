package org.calicoledger.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where BGP passwords come from. In etcd mode there is no Kubernetes secret store: a {@code secretKeyRef {name, key}}
 * is the file {@code <dir>/<name>/<key>} (the layout of a Kubernetes secret volume), its content without trailing
 * whitespace. confd's rendering and the built-in speaker's planning stay pure functions of the image and what this
 * resolver returns.
 */
@FunctionalInterface
public interface SecretResolver {
  SecretResolver NONE = (name, key) -> Optional.empty();

  /** The secret's value, or empty when it does not exist (the peer is then configured without a password). */
  Optional<String> resolve(String name, String key);

  default Optional<String> resolve(SecretKeyRef ref) {
    if (ref == null || ref.secretKeyRef() == null || ref.secretKeyRef().name() == null
        || ref.secretKeyRef().key() == null) {
      return Optional.empty();
    }
    return resolve(ref.secretKeyRef().name(), ref.secretKeyRef().key());
  }

  /** Secrets as files {@code dir/<name>/<key>}; names and keys with a path separator or {@code ..} never resolve. */
  static SecretResolver files(Path dir) {
    return (name, key) -> {
      if (!safe(name) || !safe(key)) {
        return Optional.empty();
      }
      Path p = dir.resolve(name).resolve(key);
      try {
        return Files.isRegularFile(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8).stripTrailing())
            : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      }
    };
  }

  private static boolean safe(String part) {
    return !part.isEmpty() && !part.contains("/") && !part.equals("..") && !part.equals(".");
  }
}
