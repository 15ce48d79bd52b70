package org.calicoledger.hooks.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.testing.TestCa;

/**
 * A real HTTP server (Vert.x) on 127.0.0.1 receiving webhooks, for tests. It records every request in arrival order,
 * answers each path with a configurable status (200 by default) after an optional delay, and verifies
 * {@code X-Hook-Signature} itself (HMAC-SHA256 of the body under the secret it was given, compared in constant
 * time): a request with a missing or wrong signature is answered 401 and counted. {@link #close()} stops the server
 * and its event loop.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  public record Request(String path, Map<String, String> headers, byte[] body, long receivedNanos,
      boolean signed, int answered) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public JsonNode json() {
      return ResourceCodec.readTree(body);
    }

    public long revision() {
      return Long.parseLong(header("X-Hook-Revision"));
    }

    public int attempt() {
      return Integer.parseInt(header("X-Hook-Attempt"));
    }

    public String hook() {
      return header("X-Hook-Name");
    }
  }

  private final Vertx vertx;
  private final byte[] secret;
  private final HttpServer server;
  private final String scheme;
  private final List<Request> requests = new ArrayList<>();
  private final Map<String, Integer> statusByPath = new ConcurrentHashMap<>();
  private final Map<String, Long> delayByPath = new ConcurrentHashMap<>();
  private final AtomicInteger badSignatures = new AtomicInteger();

  private WebhookReceiver(byte[] secret, TestCa tls) {
    this.secret = secret;
    this.vertx = Vertx.vertx();
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setKeyPath(tls.serverKey().toString())
          .setCertPath(tls.serverCert().toString()));
    }
    this.scheme = tls == null ? "http" : "https";
    try {
      this.server = vertx.createHttpServer(options).requestHandler(this::handle).listen()
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("cannot start the webhook receiver: " + e.getMessage(), e);
    }
  }

  /** A plain-HTTP receiver that requires bodies signed with {@code secret} (null: accepts unsigned requests). */
  public static WebhookReceiver start(byte[] secret) {
    return new WebhookReceiver(secret, null);
  }

  /** An HTTPS receiver serving {@code ca}'s server certificate (for 127.0.0.1). */
  public static WebhookReceiver startTls(TestCa ca, byte[] secret) {
    return new WebhookReceiver(secret, ca);
  }

  public String url(String path) {
    return scheme + "://127.0.0.1:" + server.actualPort() + path;
  }

  /** Answers {@code path} with {@code status} from now on. */
  public void respond(String path, int status) {
    statusByPath.put(path, status);
  }

  /** Answers {@code path} only after {@code delay}. */
  public void delay(String path, Duration delay) {
    delayByPath.put(path, delay.toMillis());
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(buf -> {
      long now = System.nanoTime();
      byte[] body = buf.getBytes();
      Map<String, String> headers = new TreeMap<>();
      req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
      boolean signed = secret == null || valid(headers.get("x-hook-signature"), body);
      int status = signed ? statusByPath.getOrDefault(req.path(), 200) : 401;
      if (!signed) {
        badSignatures.incrementAndGet();
      }
      synchronized (requests) {
        requests.add(new Request(req.path(), headers, body, now, signed, status));
        requests.notifyAll();
      }
      long delay = delayByPath.getOrDefault(req.path(), 0L);
      if (delay > 0) {
        vertx.setTimer(delay, t -> req.response().setStatusCode(status).end("status " + status));
      } else {
        req.response().setStatusCode(status).end(status == 200 ? "ok" : "refused with " + status);
      }
    });
  }

  private boolean valid(String header, byte[] body) {
    if (header == null || !header.startsWith("sha256=")) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] want = mac.doFinal(body);
      byte[] got = HexFormat.of().parseHex(header.substring("sha256=".length()));
      return MessageDigest.isEqual(want, got);
    } catch (Exception e) {
      return false;
    }
  }

  public int badSignatures() {
    return badSignatures.get();
  }

  /** Every request so far to {@code path} (all paths for null), in arrival order. */
  public List<Request> requests(String path) {
    synchronized (requests) {
      return requests.stream().filter(r -> path == null || r.path().equals(path)).toList();
    }
  }

  /** Waits until the requests to {@code path} satisfy {@code done}; returns them, or fails after {@code timeout}. */
  public List<Request> await(String path, Predicate<List<Request>> done, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (requests) {
      while (true) {
        List<Request> now = requests(path);
        if (done.test(now)) {
          return now;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("after " + timeout + " the receiver has " + now.size() + " request(s) to " + path
              + ": " + now.stream().map(r -> r.hook() + "@" + r.header("X-Hook-Revision") + "#" + r.header("X-Hook-Attempt"))
              .toList());
        }
        TimeUnit.NANOSECONDS.timedWait(requests, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
    }
  }

  /** Requests answered 2xx to {@code path}, as revisions in arrival order. */
  public List<Long> acceptedRevisions(String path) {
    return requests(path).stream().filter(r -> r.answered() / 100 == 2).map(Request::revision).toList();
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing the Vert.x instance below stops the server anyway
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort
      }
    }
  }
}
