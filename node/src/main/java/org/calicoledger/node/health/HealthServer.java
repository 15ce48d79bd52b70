package org.calicoledger.node.health;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * calico-node's HTTP endpoints on {@code host:port} (127.0.0.1:9099 by default, as Felix's health port):
 * {@code GET /liveness} (200 while the process serves), {@code GET /readiness} (200 once every service is ready, 503
 * before and while shutting down; the body names each service's state) and {@code GET /metrics} (Prometheus text).
 * Handlers only read state the node publishes; they never block the event loop.
 */
public final class HealthServer {
  private final Vertx vertx;
  private final Metrics metrics;
  private final BooleanSupplier ready;
  private final Supplier<String> detail;
  private HttpServer server;
  /** {@code GET /bgp/status}: the BGP backend's status as JSON, or null (404) when none runs. */
  private volatile Supplier<String> bgpStatus = () -> null;

  public HealthServer(Vertx vertx, Metrics metrics, BooleanSupplier ready, Supplier<String> detail) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.ready = ready;
    this.detail = detail;
  }

  /** What {@code GET /bgp/status} serves ({@code calicoctl node status}); null from the supplier means 404. */
  public void bgpStatus(Supplier<String> json) {
    this.bgpStatus = json;
  }

  /** Binds and serves; returns the port (the chosen one when {@code port} is 0). */
  public int start(String host, int port) throws Exception {
    Router router = Router.router(vertx);
    router.get("/liveness").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end("{\"live\":true}\n"));
    router.get("/readiness").handler(ctx -> {
      boolean ok = ready.getAsBoolean();
      ctx.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "application/json")
          .end("{\"ready\":" + ok + ",\"services\":" + detail.get() + "}\n");
    });
    router.get("/bgp/status").handler(ctx -> {
      String body = bgpStatus.get();
      ctx.response().setStatusCode(body == null ? 404 : 200).putHeader("content-type", "application/json")
          .end(body == null ? "{\"error\":\"no BGP backend runs on this node\"}\n" : body + "\n");
    });
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.render()));
    try {
      server = vertx.createHttpServer().requestHandler(router).listen(port, host).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot serve health and metrics on " + host + ":" + port + ": " + e.getMessage()
          + " (set FELIX_HEALTHHOST / FELIX_HEALTHPORT)", e);
    }
    return server.actualPort();
  }

  public void stop() {
    if (server != null) {
      try {
        server.close().await(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing at exit: nothing else to do
      }
    }
  }
}
