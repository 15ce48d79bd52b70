package org.calicoledger.hooks;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;
import org.calicoledger.model.GoDuration;
import org.calicoledger.model.Hook;

/**
 * POSTs the event JSON to a URL with the JDK's HTTP client (HTTP/1.1, kept-alive connections, redirects not
 * followed). Headers: {@code Content-Type: application/json}, {@code X-Hook-Name}, {@code X-Hook-Revision},
 * {@code X-Hook-Delivery} ({@code <hook>/<revision>/<position>}, the same on every re-delivery of an event),
 * {@code X-Hook-Attempt} and, with a secret file, {@code X-Hook-Signature: sha256=<hex HMAC-SHA256 of the body>}.
 * Success is any 2xx answer within the timeout (which bounds the whole exchange).
 *
 * <p>TLS: certificates and host names are verified against {@code caCertFile} when given, else against the JVM's
 * trust store; {@code insecureSkipTLSVerify} turns both checks off. Hooks with the same TLS setting and connect timeout
 * share one client (a changed CA file makes a new one).
 */
record WebhookAction(URI url, Secret secret, Duration timeout, HttpClient client) implements Action {
  static final String SIGNATURE = "X-Hook-Signature";
  /** One client (one selector thread, one connection pool) per TLS setting, shared by the hooks that use it. */
  private static final Map<List<Object>, HttpClient> CLIENTS = new ConcurrentHashMap<>();
  private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  });

  static WebhookAction of(Hook.Webhook w) {
    Duration timeout = GoDuration.parse(w.timeout());
    String ca = w.caCertFile() == null || w.caCertFile().isEmpty() ? null : w.caCertFile();
    long caVersion = ca == null ? 0 : Path.of(ca).toFile().lastModified();
    HttpClient client = CLIENTS.computeIfAbsent(List.of(w.insecureSkipTLSVerify(), String.valueOf(ca), caVersion,
        timeout), k -> {
          HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
              .followRedirects(HttpClient.Redirect.NEVER);
          SSLContext ssl = sslContext(w);
          if (ssl != null) {
            b.sslContext(ssl);
          }
          return b.build();
        });
    Secret secret = w.secretFile() == null || w.secretFile().isEmpty() ? null : new Secret(Path.of(w.secretFile()));
    return new WebhookAction(URI.create(w.url()), secret, timeout, client);
  }

  /**
   * The signing secret, read again only when the file changed (size, time or identity), so a rotated secret signs
   * the next delivery and an unchanged one costs a stat, not a read.
   */
  static final class Secret {
    private final Path file;
    private volatile Object version;
    private volatile byte[] bytes;

    Secret(Path file) {
      this.file = file;
    }

    byte[] get() throws IOException {
      Object now;
      try {
        var a = Files.readAttributes(file, BasicFileAttributes.class);
        now = List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
      } catch (IOException e) {
        return HookFiles.secret(file); // names what is wrong with the file
      }
      byte[] b = bytes;
      if (b == null || !now.equals(version)) {
        b = HookFiles.secret(file);
        bytes = b;
        version = now;
      }
      return b;
    }
  }

  @Override
  public String describe() {
    return "webhook " + url;
  }

  @Override
  public void deliver(String hook, HookEvent event, int attempt) throws DeliveryException, InterruptedException {
    byte[] body = event.body(hook);
    HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout)
        .header("Content-Type", "application/json")
        .header("User-Agent", "calico-hooks")
        .header("X-Hook-Name", hook)
        .header("X-Hook-Revision", Long.toString(event.revision()))
        .header("X-Hook-Delivery", hook + "/" + event.revision() + "/" + event.event().getPosition())
        .header("X-Hook-Attempt", Integer.toString(attempt))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (secret != null) {
      try {
        req.header(SIGNATURE, signature(secret.get(), body));
      } catch (IOException e) {
        throw new DeliveryException("cannot sign: spec.webhook.secretFile " + e.getMessage(), e);
      }
    }
    HttpResponse<String> resp;
    try {
      resp = client.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw new DeliveryException("cannot connect to " + url + " within " + ExecAction.human(timeout), e);
    } catch (HttpTimeoutException e) {
      throw new DeliveryException("no answer from " + url + " within " + ExecAction.human(timeout), e);
    } catch (ConnectException e) {
      throw new DeliveryException("cannot connect to " + url + " (" + rootMessage(e) + ")", e);
    } catch (SSLException e) {
      throw new DeliveryException("TLS with " + url + " failed (" + rootMessage(e) + "); give the server's CA in"
          + " spec.webhook.caCertFile", e);
    } catch (IOException e) {
      throw new DeliveryException("POST to " + url + " failed: " + rootMessage(e), e);
    }
    int code = resp.statusCode();
    if (code / 100 != 2) {
      String text = resp.body() == null ? "" : resp.body().strip();
      throw new DeliveryException("HTTP " + code + " from " + url + (text.isEmpty() ? ""
          : ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text)));
    }
  }

  /** {@code sha256=<hex>}: HMAC-SHA256 of {@code body} keyed with {@code secret}. */
  static String signature(byte[] secret, byte[] body) {
    try {
      Mac mac = HMAC.get();
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("an HMAC-SHA256 key of " + secret.length + " bytes was refused", e);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    return c == t ? m : c.getClass().getSimpleName() + ": " + m;
  }

  /** Null for the JVM's default trust. */
  private static SSLContext sslContext(Hook.Webhook w) {
    try {
      if (w.insecureSkipTLSVerify()) {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
        return ctx;
      }
      if (w.caCertFile() != null && !w.caCertFile().isEmpty()) {
        return HookFiles.trusting(Path.of(w.caCertFile()));
      }
      return null;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("spec.webhook.caCertFile " + e.getMessage(), e);
    }
  }

  /**
   * Trusts every certificate and host name. An extended trust manager, so that the TLS engine does not add its own
   * host-name check on top (it does for a plain X509TrustManager).
   */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
