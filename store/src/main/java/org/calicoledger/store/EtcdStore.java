package org.calicoledger.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;

/**
 * {@link Store} over etcd v3 with jetcd.
 *
 * <p>Every call is bounded by the configured timeout (default 10 s): a dead or unreachable etcd is reported as
 * {@link StoreException.Unavailable}, never a hang. Writes are single etcd transactions; the {@link Audit} record is put
 * in the same transaction, so the write and its "who and why" share one revision. Resource semantics (defaults,
 * validation, identity, compare-and-swap on {@code resourceVersion}) live in {@link ResourceWrites}; this class owns
 * the connection, raw keys and watches.
 */
public final class EtcdStore implements Store {
  private final StoreConfig config;
  private final Client client;
  private final KV kv;
  private final ResourceWrites resources;

  private EtcdStore(StoreConfig config, Client client) {
    this.config = config;
    this.client = client;
    this.kv = client.getKVClient();
    this.resources = new ResourceWrites(this);
  }

  /** Connects lazily: the first call reaches etcd (and fails within the timeout if it cannot). */
  public static EtcdStore connect(StoreConfig config) {
    ClientBuilder b = Client.builder()
        .endpoints(config.endpoints().toArray(String[]::new))
        .connectTimeout(config.timeout())
        .retryMaxDuration(config.timeout())
        .retryChronoUnit(ChronoUnit.MILLIS)
        .retryDelay(50)
        .retryMaxDelay(1000)
        .keepaliveTime(Duration.ofSeconds(30))
        .keepaliveTimeout(Duration.ofSeconds(10));
    if (config.username() != null) {
      b.user(bytes(config.username())).password(bytes(config.password()));
    }
    if (config.tls()) {
      try {
        b.sslContext(ssl -> {
          if (config.caCertFile() != null) {
            ssl.trustManager(config.caCertFile().toFile());
          }
          if (config.certFile() != null) {
            ssl.keyManager(config.certFile().toFile(), config.keyFile().toFile());
          }
        });
      } catch (SSLException | IllegalArgumentException e) {
        throw new StoreConfig.ConfigException("cannot use the etcd TLS files (" + config.caCertFile() + ", "
            + config.certFile() + ", " + config.keyFile() + "): " + e.getMessage()
            + ". Certificates must be PEM; the key must be PEM PKCS#8 (convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8)");
      }
    }
    return new EtcdStore(config, b.build());
  }

  public StoreConfig config() {
    return config;
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** Waits for an etcd call within the timeout and turns transport failures into {@link StoreException}s. */
  <T> T await(CompletableFuture<T> call, String what, boolean write) {
    try {
      return call.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw unavailable(what, write, "no answer within " + config.timeout().toSeconds() + "s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(what, write, "interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StoreException se) {
        throw se;
      }
      Status status = cause instanceof StatusRuntimeException sre ? sre.getStatus() : Status.fromThrowable(cause);
      String detail = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
      if (REFUSALS.contains(status.getCode())) {
        // etcd answered and said no: the request is wrong, and nothing was written
        throw new StoreException("etcd refused the request while " + what + " (" + detail + ")", false, cause);
      }
      throw unavailable(what, write, detail, cause);
    }
  }

  /** Answers that mean "etcd received the request and refused it", as opposed to "could not reach etcd". */
  private static final java.util.Set<Status.Code> REFUSALS = java.util.EnumSet.of(Status.Code.INVALID_ARGUMENT,
      Status.Code.FAILED_PRECONDITION, Status.Code.OUT_OF_RANGE, Status.Code.RESOURCE_EXHAUSTED,
      Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED, Status.Code.ALREADY_EXISTS, Status.Code.NOT_FOUND);

  private StoreException.Unavailable unavailable(String what, boolean write, String detail, Throwable cause) {
    return new StoreException.Unavailable("etcd at " + String.join(",", config.endpoints()) + " is unreachable while "
        + what + " (" + detail + ")" + (write ? "; the write may or may not have been applied: read before retrying" : "")
        + ". Check that etcd is running and ETCD_ENDPOINTS (and the TLS settings) point at it", !write, cause);
  }

  static KeyValue convert(io.etcd.jetcd.KeyValue kv) {
    return new KeyValue(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().getBytes(), kv.getModRevision(),
        kv.getCreateRevision(), kv.getVersion());
  }

  @Override
  public Optional<KeyValue> getKey(String key) {
    GetResponse r = await(kv.get(bytes(key)), "reading " + key, false);
    return r.getKvs().isEmpty() ? Optional.empty() : Optional.of(convert(r.getKvs().get(0)));
  }

  /** Keys per range request: big prefixes are read in pages, all at the revision of the first page. */
  static final int PAGE = 2000;

  @Override
  public Range range(String prefix) {
    ByteSequence end = io.etcd.jetcd.options.OptionsUtil.prefixEndOf(bytes(prefix));
    List<KeyValue> out = new ArrayList<>();
    GetResponse r = await(kv.get(bytes(prefix), GetOption.builder().withRange(end).withLimit(PAGE).build()),
        "listing " + prefix, false);
    long revision = r.getHeader().getRevision();
    while (true) {
      r.getKvs().forEach(k -> out.add(convert(k)));
      if (!r.isMore() || r.getKvs().isEmpty()) {
        return new Range(out, revision);
      }
      ByteSequence next = ByteSequence.from((out.get(out.size() - 1).key() + "\0").getBytes(StandardCharsets.UTF_8));
      r = await(kv.get(next, GetOption.builder().withRange(end).withLimit(PAGE).withRevision(revision).build()),
          "listing " + prefix, false);
    }
  }

  @Override
  public long revision() {
    return await(kv.get(bytes(Keys.ROOT), GetOption.builder().withCountOnly(true).withLimit(1).build()),
        "reading the revision", false).getHeader().getRevision();
  }

  @Override
  public void compact(long revision) {
    await(kv.compact(revision, CompactOption.builder().withCompactPhysical(true).build()), "compacting", true);
  }

  @Override
  public Leadership campaign(String election, String proposal, Duration ttl) {
    return new EtcdLeadership(this, client, election, proposal, ttl);
  }

  @Override
  public void revokeLease(long leaseId) {
    await(client.getLeaseClient().revoke(leaseId), "revoking lease " + Long.toHexString(leaseId), true);
  }

  @Override
  public Txn.Result txn(Txn txn, Audit audit) {
    List<Cmp> cmps = new ArrayList<>();
    List<Op> gets = new ArrayList<>();
    for (Txn.Condition c : txn.conditions()) {
      CmpTarget<?> target = c instanceof Txn.Condition.VersionIs v
          ? CmpTarget.version(v.version())
          : CmpTarget.modRevision(((Txn.Condition.ModRevisionIs) c).modRevision());
      cmps.add(new Cmp(bytes(c.key()), Cmp.Op.EQUAL, target));
      gets.add(Op.get(bytes(c.key()), GetOption.DEFAULT));
    }
    List<Op> ops = new ArrayList<>();
    List<String> touched = new ArrayList<>();
    for (Txn.Op op : txn.ops()) {
      touched.add(op.key());
      if (op instanceof Txn.Op.Put p) {
        ops.add(Op.put(bytes(p.key()), ByteSequence.from(p.value()), PutOption.DEFAULT));
      } else {
        ops.add(Op.delete(bytes(op.key()), DeleteOption.builder().withPrevKV(true).build()));
      }
    }
    if (audit != null && !ops.isEmpty()) {
      ops.add(Op.put(bytes(Keys.audit(audit.actor())), ByteSequence.from(auditValue(audit, touched)), PutOption.DEFAULT));
    }
    TxnResponse r = await(kv.txn().If(cmps.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new))
        .Else(gets.toArray(Op[]::new)).commit(), "writing " + String.join(", ", touched), true);
    Map<String, KeyValue> current = new LinkedHashMap<>();
    Map<String, KeyValue> deleted = new LinkedHashMap<>();
    if (r.isSucceeded()) {
      r.getDeleteResponses().forEach(d -> d.getPrevKvs().forEach(k -> deleted.put(k.getKey().toString(StandardCharsets.UTF_8), convert(k))));
    } else {
      r.getGetResponses().forEach(g -> g.getKvs().forEach(k -> current.put(k.getKey().toString(StandardCharsets.UTF_8), convert(k))));
    }
    return new Txn.Result(r.isSucceeded(), r.getHeader().getRevision(), current, deleted);
  }

  /** {@code {"actor","reason","time","keys"}}: the ledger record of one write. */
  static byte[] auditValue(Audit audit, List<String> keys) {
    var node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    node.put("actor", audit.actor());
    node.put("reason", audit.reason());
    node.put("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    var arr = node.putArray("keys");
    keys.forEach(arr::add);
    return org.calicoledger.model.ResourceCodec.compact(node).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Watch watch(String prefix, long fromRevision, Watch.Listener listener) {
    long from = fromRevision > 0 ? fromRevision : revision() + 1; // "now" is pinned, so a reconnect cannot skip
    return new EtcdWatch(client.getWatchClient(), prefix, from, listener);
  }

  // Resources: see ResourceWrites.

  @Override
  public <T extends Resource> T create(T r, Audit audit) {
    return resources.create(r, audit);
  }

  @Override
  public <T extends Resource> T update(T r, Audit audit) {
    return resources.update(r, audit);
  }

  @Override
  public <T extends Resource> T apply(T r, Audit audit) {
    return resources.apply(r, audit);
  }

  @Override
  public Resource delete(ResourceKey key, long expectedRevision, Audit audit) {
    return resources.delete(key, expectedRevision, audit);
  }

  @Override
  public Optional<Resource> get(ResourceKey key) {
    return resources.get(key);
  }

  @Override
  public Listing<Resource> list(Kind kind, String namespace) {
    return resources.list(kind, namespace);
  }

  @Override
  public <T extends Resource> Listing<T> list(Class<T> type) {
    Listing<Resource> l = resources.list(Kind.forType(type), null);
    return new Listing<>(l.items().stream().map(type::cast).toList(), l.revision());
  }

  @Override
  public void ensureInitialized(String calicoVersion, String clusterType) {
    resources.ensureInitialized(calicoVersion, clusterType);
  }

  @Override
  public void close() {
    client.close();
  }
}
