package org.calicoledger.store.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throwaway certificate authority made with the real {@code openssl} tool: a CA, a server certificate for
 * 127.0.0.1, and a client certificate. Keys are PKCS#8 PEM, as Netty (under jetcd) reads them.
 */
public final class TestCa implements AutoCloseable {
  private final Path dir;

  private TestCa(Path dir) {
    this.dir = dir;
  }

  public static TestCa create() {
    try {
      Path dir = Files.createTempDirectory("test-ca-");
      TestCa ca = new TestCa(dir);
      ca.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=calico-ledger-test-ca");
      ca.issue("server", "/CN=etcd-test-server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
      ca.issue("client", "/CN=calicoctl-test", "extendedKeyUsage=clientAuth");
      return ca;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void issue(String name, String subject, String ext) throws IOException {
    Files.writeString(dir.resolve(name + ".ext"), ext + "\n");
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key",
        "-out", name + ".csr", "-subj", subject);
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
  }

  private void openssl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("the TLS tests need the openssl tool (bin/setup installs it): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  public Path serverCert() {
    return dir.resolve("server.crt");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  public Path clientCert() {
    return dir.resolve("client.crt");
  }

  public Path clientKey() {
    return dir.resolve("client.key");
  }

  @Override
  public void close() {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temp dir; best effort
    }
  }
}
