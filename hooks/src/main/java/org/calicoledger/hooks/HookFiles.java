package org.calicoledger.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.calicoledger.model.Hook;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Resource;

/**
 * The files a webhook hook names: the signing secret and the CA certificates. calicoctl checks them before it stores a
 * hook ({@link #check}); the runner reads them at every delivery, so a rotated secret is used from the next event on.
 * The secret is the file's bytes without trailing whitespace (a final newline from {@code echo} is not part of it).
 */
public final class HookFiles {
  private HookFiles() {}

  /** Refuses a Hook whose files cannot be read here; other resources pass. {@code where} names it in the message. */
  public static void check(Resource r, String where) {
    if (!(r instanceof Hook h) || h.spec().webhook() == null) {
      return;
    }
    List<InvalidResourceException.Problem> problems = new ArrayList<>();
    Hook.Webhook w = h.spec().webhook();
    if (w.secretFile() != null && !w.secretFile().isEmpty()) {
      try {
        secret(Path.of(w.secretFile()));
      } catch (IOException e) {
        problems.add(new InvalidResourceException.Problem("spec.webhook.secretFile", e.getMessage()));
      }
    }
    if (w.caCertFile() != null && !w.caCertFile().isEmpty()) {
      try {
        certificates(Path.of(w.caCertFile()));
      } catch (IOException e) {
        problems.add(new InvalidResourceException.Problem("spec.webhook.caCertFile", e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidResourceException(where, problems);
    }
  }

  /** The signing secret in {@code file}; the message of a failure names the file and what is wrong. */
  static byte[] secret(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException("'" + file + "': a directory; give the file holding the secret");
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException("'" + file + "': no such file (the secret for X-Hook-Signature is read from it)");
    }
    if (!Files.isReadable(file)) {
      throw new IOException("'" + file + "': not readable by this user; check its permissions");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
    if (text.isEmpty()) {
      throw new IOException("'" + file + "': empty; put the shared secret in it");
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The X.509 certificates in a PEM file (at least one). */
  static Collection<? extends Certificate> certificates(Path file) throws IOException {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IOException("'" + file + "': no readable file (CA certificates in PEM are read from it)");
    }
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IOException("'" + file + "': holds no certificate; give the CA certificate(s) in PEM");
      }
      return certs;
    } catch (GeneralSecurityException e) {
      throw new IOException("'" + file + "': not PEM X.509 certificates (" + e.getMessage() + ")", e);
    }
  }

  /** An SSL context that trusts exactly the CA certificates in {@code file}. */
  static SSLContext trusting(Path file) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    int i = 0;
    for (Certificate c : certificates(file)) {
      ks.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
