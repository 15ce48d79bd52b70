package org.calicoledger.hooks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.model.Hook;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Keys;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;
import org.calicoledger.store.Watch;
import org.calicoledger.store.WatchEvent;

/**
 * Runs every Hook defined in etcd: one {@link HookWorker} per hook, started, changed and stopped as the definitions
 * under {@code /calico/ledger/v1/hooks/} change, and replay requests ({@code hook-replay/}) handed to their workers.
 *
 * <pre>
 *  etcd hooks/ ──list, then watch──┐
 *  etcd hook-replay/ ──list, watch─┴─► queue ─► control thread ─► workers (one thread and consumer each)
 *                                                                  └─► calico.changes ─► exec / webhook
 *                                                                                     └─► calico.hooks.dead
 * </pre>
 *
 * <p>Threads: watch callbacks only enqueue; the thread that calls {@link #run} applies every change in etcd's order,
 * so the workers map is confined to it. After a watch error (compaction, a lost etcd) it lists again and reconciles:
 * workers whose hook is gone are stopped and their status forgotten, statuses of hooks deleted while no runner ran are
 * removed, a hook deleted and created again (a new uid) starts afresh. A stored definition that cannot run (invalid,
 * written around calicoctl; an unreadable CA file) gets no worker, and its status says why.
 */
public final class HookRunner {
  private static final System.Logger LOG = System.getLogger("org.calicoledger.hooks");
  /** Events the shared feed keeps: a hook further behind reads with a consumer of its own. */
  static final int FEED_CAPACITY = 4096;

  /**
   * @param statusInterval how often a hook's position and status are persisted at most (and how many events a crash
   *     may deliver again)
   * @param kafkaTimeout how long Kafka may take to answer a request
   */
  public record Options(Duration statusInterval, Duration kafkaTimeout) {
    public static Options defaults() {
      return new Options(Duration.ofMillis(500), Duration.ofSeconds(10));
    }
  }

  private final Store store;
  private final KafkaSettings kafka;
  private final Options options;
  private final HookLedger ledger;
  private final Map<String, HookWorker> workers = new HashMap<>();
  private StatusWriter writer; // while running

  public HookRunner(Store store, KafkaSettings kafka, Options options) {
    this.store = store;
    this.kafka = kafka;
    this.options = options;
    this.ledger = new HookLedger(store);
  }

  /** One change seen by a watch, or the error that ended it. */
  private record Signal(WatchEvent event, boolean replay, StoreException error) {}

  /** Runs hooks while {@code active} holds; stops every worker before it returns. */
  public void run(BooleanSupplier active) throws InterruptedException {
    try (Admin admin = Admin.create(kafka.admin())) {
      ChangeLog.ensureTopics(admin);
      DeadLetters.ensureTopic(admin);
    }
    try (StatusWriter statusWriter = new StatusWriter(ledger);
        DeadLetters deadLetters = new DeadLetters(kafka, options.kafkaTimeout());
        ChangeFeed feed = ChangeFeed.start(kafka, options.kafkaTimeout(), FEED_CAPACITY)) {
      writer = statusWriter;
      HookContext ctx = new HookContext(store, ledger, statusWriter, kafka, feed, deadLetters, options.statusInterval(),
          options.kafkaTimeout());
      try {
        while (active.getAsBoolean()) {
          follow(ctx, active);
        }
      } finally {
        for (HookWorker w : new ArrayList<>(workers.values())) {
          w.stop();
        }
        workers.clear();
      }
    }
  }

  /** Lists, reconciles, then applies watched changes until a watch fails or {@code active} ends. */
  private void follow(HookContext ctx, BooleanSupplier active) throws InterruptedException {
    try {
      Store.Range hooks = store.range(Keys.HOOKS);
      Store.Range replays = store.range(Keys.HOOK_REPLAY);
      reconcile(ctx, hooks, replays);
      watch(ctx, active, hooks.revision(), replays.revision());
    } catch (StoreException e) {
      // running workers go on meanwhile: they need etcd only to persist their status
      LOG.log(System.Logger.Level.WARNING, "cannot follow the hooks in etcd: " + e.getMessage() + "; retrying in 1s");
      TimeUnit.SECONDS.sleep(1);
    }
  }

  private void watch(HookContext ctx, BooleanSupplier active, long hooksAt, long replaysAt) throws InterruptedException {
    BlockingQueue<Signal> queue = new LinkedBlockingQueue<>();
    try (Watch hw = store.watch(Keys.HOOKS, hooksAt + 1, listener(queue, false));
        Watch rw = store.watch(Keys.HOOK_REPLAY, replaysAt + 1, listener(queue, true))) {
      while (active.getAsBoolean()) {
        Signal s = queue.poll(200, TimeUnit.MILLISECONDS);
        if (s == null) {
          continue;
        }
        if (s.error() != null) {
          LOG.log(System.Logger.Level.WARNING, "watching the hooks failed (" + s.error().getMessage()
              + "); listing them again");
          return;
        }
        String key = s.event().key();
        if (s.replay()) {
          if (s.event().type() == WatchEvent.Type.PUT) {
            replay(HookLedger.replay(new KeyValue(key, s.event().value(), s.event().modRevision(), 0, 0)));
          }
        } else if (s.event().type() == WatchEvent.Type.PUT) {
          define(ctx, key.substring(Keys.HOOKS.length()), s.event().value(), s.event().modRevision(), null);
        } else {
          remove(key.substring(Keys.HOOKS.length()));
        }
      }
    }
  }

  private static Watch.Listener listener(BlockingQueue<Signal> queue, boolean replay) {
    return new Watch.Listener() {
      @Override
      public void onEvents(List<WatchEvent> events) {
        events.forEach(e -> queue.add(new Signal(e, replay, null)));
      }

      @Override
      public void onError(StoreException error) {
        queue.add(new Signal(null, replay, error));
      }
    };
  }

  private void reconcile(HookContext ctx, Store.Range hooks, Store.Range replays) throws InterruptedException {
    Map<String, KeyValue> defined = new HashMap<>();
    for (KeyValue kv : hooks.kvs()) {
      defined.put(kv.key().substring(Keys.HOOKS.length()), kv);
    }
    for (String name : new ArrayList<>(workers.keySet())) {
      if (!defined.containsKey(name)) {
        remove(name);
      }
    }
    Map<String, HookStatus> statuses = ledger.statuses();
    for (String name : statuses.keySet()) {
      if (!defined.containsKey(name)) {
        writer.forget(name); // deleted while no runner was running
      }
    }
    for (var e : defined.entrySet()) {
      define(ctx, e.getKey(), e.getValue().value(), e.getValue().modRevision(), statuses);
    }
    for (KeyValue kv : replays.kvs()) {
      replay(HookLedger.replay(kv));
    }
    LOG.log(System.Logger.Level.INFO, workers.size() + " hook(s) running: " + String.join(", ", workers.keySet()));
  }

  /**
   * Starts, updates or restarts the worker of one stored definition.
   *
   * @param statuses the statuses read with the listing, or null to read this hook's from etcd
   */
  private void define(HookContext ctx, String name, byte[] value, long modRevision, Map<String, HookStatus> statuses)
      throws InterruptedException {
    CompiledHook compiled;
    String uid = "";
    try {
      Resource r = ResourceCodec.decodeStored(value, modRevision);
      if (!(r instanceof Hook h)) {
        throw new InvalidResourceException("Hook(" + name + ")", "kind", "the value under " + Keys.HOOKS + name
            + " is a " + r.kind().kindName() + ", not a Hook");
      }
      uid = h.metadata().uid() == null ? "" : h.metadata().uid();
      compiled = CompiledHook.compile(h);
    } catch (IllegalArgumentException e) {
      HookWorker old = workers.remove(name);
      if (old != null) {
        old.stop();
      }
      refuse(name, uid, modRevision, statuses, e.getMessage());
      return;
    }
    HookWorker w = workers.get(name);
    if (w != null && w.hook().uid().equals(compiled.uid())) {
      if (w.hook().revision() != compiled.revision()) {
        w.update(compiled);
        LOG.log(System.Logger.Level.INFO, "hook " + name + " changed: " + compiled.action().describe());
      }
      return;
    }
    if (w != null) {
      remove(name); // the same name, a new hook: it does not inherit the old one's position
    }
    HookStatus resume = statuses != null ? statuses.get(name) : ledger.status(name).orElse(null);
    if (resume != null && resume.offset() < 0) {
      resume = null; // recorded as refused before it ever ran
    }
    HookWorker started = new HookWorker(ctx, compiled, resume);
    workers.put(name, started);
    started.start();
    LOG.log(System.Logger.Level.INFO, "hook " + name + " runs: " + compiled.action().describe());
  }

  /** Records why a definition cannot run, keeping any position it had. */
  private void refuse(String name, String uid, long revision, Map<String, HookStatus> statuses, String why) {
    LOG.log(System.Logger.Level.WARNING, "hook " + name + " cannot run: " + why);
    HookStatus had = statuses != null ? statuses.get(name) : ledger.status(name).orElse(null);
    HookStatus s = had != null && had.uid().equals(uid) ? had : HookStatus.start(name, uid, revision, -1, 0);
    writer.saveNow(s.running(revision).failed("the definition cannot run: " + why));
  }

  private void remove(String name) throws InterruptedException {
    HookWorker w = workers.remove(name);
    if (w != null) {
      w.stop();
      LOG.log(System.Logger.Level.INFO, "hook " + name + " stopped (deleted)");
    }
    writer.forget(name);
  }

  private void replay(HookLedger.ReplayRequest r) {
    HookWorker w = workers.get(r.hook());
    if (w != null) {
      w.replay(r);
    } else if (!store.getKey(Keys.HOOKS + r.hook()).isPresent()) {
      ledger.clearReplay(r); // for a hook that does not exist (any more)
    }
  }
}
