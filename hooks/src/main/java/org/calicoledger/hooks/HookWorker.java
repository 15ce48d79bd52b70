package org.calicoledger.hooks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.history.Bound;
import org.calicoledger.events.history.ChangeHistory;
import org.calicoledger.events.subscriber.ChangeLogConsumer;
import org.calicoledger.events.subscriber.ChangeRecords;
import org.calicoledger.model.Hook;
import org.calicoledger.model.Kind;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;

/**
 * Delivers one hook's matching events on a thread of its own, so a slow or failing hook delays nobody else. It reads
 * from the runner's shared {@link ChangeFeed} while its position is inside the feed's window, and with a Kafka
 * consumer of its own while it is behind (starting from the beginning, replaying, or held up by retries).
 *
 * <p>Order and at-least-once: the worker reads calico.changes from its position, and hands each matching event to the
 * action, retrying with exponential backoff; after the last attempt the event goes to the dead-letter topic (which
 * must acknowledge it) and the worker moves on. It never starts an event before the previous one is delivered or
 * dead-lettered, so deliveries follow revision order. The position advances only past events that are done, and is
 * handed to the {@link StatusWriter} at most one status interval late (which writes it to etcd off this thread): a
 * crash (even {@code kill -9}) re-delivers from the last persisted position, in order; it never skips.
 *
 * <p>Threads: {@link #update}, {@link #replay} and {@link #stop} are called by the runner's thread; they set volatile
 * or atomic state and wake the worker, which applies them between attempts. Status and position belong to the worker
 * thread alone. A new definition applies from the next attempt; a replay or a stop abandons the event in hand (it
 * will be delivered again) without dead-lettering it.
 */
final class HookWorker {
  private static final System.Logger LOG = System.getLogger("org.calicoledger.hooks");
  private static final TopicPartition CHANGES = new TopicPartition(ChangeLog.CHANGES, 0);
  private static final Duration POLL = Duration.ofMillis(100);

  private final HookContext ctx;
  private final String name;
  private final Thread thread;
  private final Object signal = new Object();
  private final AtomicReference<HookLedger.ReplayRequest> replay = new AtomicReference<>();
  private volatile CompiledHook hook;
  private volatile boolean running = true;

  // worker thread only
  private HookStatus status;
  private boolean dirty;
  private long savedAt;

  /** @param resume the persisted status to continue from, or null to begin as the hook's startFrom says */
  HookWorker(HookContext ctx, CompiledHook hook, HookStatus resume) {
    this.ctx = ctx;
    this.name = hook.name();
    this.hook = hook;
    this.status = resume != null && resume.uid().equals(hook.uid()) ? resume : null;
    this.thread = new Thread(this::run, "hook-" + name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  String name() {
    return name;
  }

  CompiledHook hook() {
    return hook;
  }

  void update(CompiledHook next) {
    hook = next;
    poke();
  }

  void replay(HookLedger.ReplayRequest request) {
    replay.set(request);
    poke();
  }

  /** Stops and waits for the thread (which saves the status last); an attempt in flight is abandoned. */
  void stop() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(15));
  }

  private void poke() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /** Waits up to {@code ms} or until poked; returns whether to go on (running, no replay waiting). */
  private boolean pause(long ms) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    synchronized (signal) {
      long left;
      while (running && replay.get() == null && (left = end - System.nanoTime()) > 0) {
        long before = hook.revision();
        TimeUnit.NANOSECONDS.timedWait(signal, left);
        if (hook.revision() != before) {
          break; // a new definition: try it now
        }
      }
    }
    return running && replay.get() == null;
  }

  private void run() {
    try {
      while (running) {
        try {
          if (status == null) {
            begin();
          }
          follow();
        } catch (InterruptedException | InterruptException e) {
          if (running) {
            LOG.log(System.Logger.Level.WARNING, "hook " + name + " interrupted while running; restarting");
          }
        } catch (RuntimeException e) {
          if (running) {
            LOG.log(System.Logger.Level.WARNING, "hook " + name + ": " + e.getMessage() + "; retrying in 1s");
            if (status != null) {
              status = status.failed("cannot read the change log: " + e.getMessage());
              dirty = true;
              save();
            }
            sleepUnlessStopped(1000);
          }
        }
      }
    } finally {
      Thread.interrupted(); // the final save must not be cut short by the stop's interrupt
      if (status != null && dirty) {
        save();
      }
    }
  }

  private static void sleepUnlessStopped(long ms) {
    try {
      Thread.sleep(ms); // a stop interrupts it
    } catch (InterruptedException stopped) {
      Thread.currentThread().interrupt();
    }
  }

  /** A hook that never ran: its position from startFrom, persisted at once. */
  private void begin() {
    CompiledHook h = hook;
    String from = h.startFrom();
    long fromRevision;
    if (Hook.BEGINNING.equals(from)) {
      fromRevision = 0;
    } else if (Hook.NOW.equals(from)) {
      // "now" is the hook's creation, not this moment: a runner that was down still sees what followed it
      long created = ctx.store().getKey(Keys.resource(ResourceKey.of(Kind.HOOK, name)))
          .map(KeyValue::createRevision).orElse(h.revision());
      fromRevision = created + 1;
    } else {
      fromRevision = Long.parseLong(from);
    }
    status = HookStatus.start(name, h.uid(), h.revision(), offsetOf(fromRevision), fromRevision);
    dirty = true;
    save();
    LOG.log(System.Logger.Level.INFO, "hook " + name + " starts at revision " + fromRevision + " (startFrom "
        + from + "), offset " + status.offset());
  }

  private long offsetOf(long revision) {
    try (ChangeHistory h = ChangeHistory.open(ctx.kafka(), ctx.kafkaTimeout())) {
      return h.startOffset(revision <= 0 ? null : new Bound.Revision(revision));
    }
  }

  /**
   * Handles events from the position on: from the shared feed while the position is inside its window, else from a
   * consumer of this hook's own, until it is back inside.
   */
  private void follow() throws InterruptedException {
    KafkaConsumer<String, byte[]> own = null;
    try {
      while (running) {
        if (status.definition() != hook.revision()) {
          status = status.running(hook.revision());
          dirty = true;
        }
        HookLedger.ReplayRequest r = replay.getAndSet(null);
        if (r != null) {
          applyReplay(r);
          continue;
        }
        List<HookEvent> events;
        long next;
        ChangeFeed.Batch batch = ctx.feed().read(status.offset(), 500, POLL.toMillis());
        if (batch != null) {
          own = close(own);
          events = batch.events();
          next = batch.next();
        } else {
          if (own == null) {
            own = ChangeLogConsumer.open(ctx.kafka(), ctx.kafkaTimeout(), "calico-hooks-" + name, true);
            own.assign(List.of(CHANGES));
          }
          if (own.position(CHANGES) != status.offset()) {
            own.seek(CHANGES, status.offset());
          }
          events = new ArrayList<>();
          for (ConsumerRecord<String, byte[]> rec : own.poll(POLL).records(CHANGES)) {
            events.add(HookEvent.of(ChangeRecords.event(rec), rec.offset()));
          }
          next = own.position(CHANGES);
        }
        if (handleAll(events) && next > status.offset()) {
          status = status.advanced(next, status.revision()); // past transaction markers too: caught up is lag 0
          dirty = true;
        }
        saveIfDue();
      }
    } finally {
      close(own);
    }
  }

  /** Handles events in order; false when one was abandoned (a stop or a replay), the position staying before it. */
  private boolean handleAll(List<HookEvent> events) throws InterruptedException {
    for (HookEvent ev : events) {
      if (ev.offset() < status.offset()) {
        continue;
      }
      if (ev.revision() >= status.fromRevision() && hook.matches(ev) && !handle(ev)) {
        return false;
      }
      status = status.advanced(ev.offset() + 1, ev.revision());
      dirty = true;
      saveIfDue();
    }
    return true;
  }

  private static KafkaConsumer<String, byte[]> close(KafkaConsumer<String, byte[]> c) {
    if (c != null) {
      Thread.interrupted(); // a stop's interrupt would make closing fail noisily
      c.close(Duration.ofSeconds(2));
    }
    return null;
  }

  /** Delivers one matching event: true when done (delivered or dead-lettered), false when abandoned. */
  private boolean handle(HookEvent ev) throws InterruptedException {
    String error = null;
    int attempt = 0;
    while (true) {
      if (!running || replay.get() != null) {
        return false;
      }
      CompiledHook h = hook;
      attempt++;
      try {
        h.action().deliver(name, ev, attempt);
        status = status.succeeded(ev, attempt);
        dirty = true;
        return true;
      } catch (DeliveryException | RuntimeException e) {
        // a RuntimeException is a bug or an event the action cannot express (e.g. a NUL in an environment value):
        // it counts as a failed attempt, so the event is retried and at worst dead-lettered, never spun on forever
        error = e instanceof DeliveryException ? e.getMessage() : "unexpected " + e;
        status = status.failed(ev, attempt, error);
        dirty = true;
        saveIfDue();
        LOG.log(System.Logger.Level.INFO, "hook " + name + " revision " + ev.revision() + " attempt " + attempt + "/"
            + h.retry().attempts() + " failed: " + error);
      }
      if (attempt >= h.retry().attempts()) {
        break;
      }
      if (!pause(h.retry().delayAfter(attempt).toMillis())) {
        return false;
      }
    }
    while (true) {
      try {
        ctx.deadLetters().send(name, ev, error, attempt);
        status = status.withDeadLetter();
        dirty = true;
        LOG.log(System.Logger.Level.WARNING, "hook " + name + " gave up on revision " + ev.revision() + " after "
            + attempt + " attempt(s), sent to " + DeadLetters.TOPIC + ": " + error);
        return true;
      } catch (IllegalStateException | KafkaException e) {
        LOG.log(System.Logger.Level.WARNING, "hook " + name + ": " + e.getMessage() + "; retrying in 1s");
        if (!pause(1000)) {
          return false;
        }
      }
    }
  }

  private void applyReplay(HookLedger.ReplayRequest r) {
    long offset;
    try {
      offset = offsetOf(r.from());
    } catch (RuntimeException e) {
      replay.compareAndSet(null, r); // not applied: try again on the next round
      throw e;
    }
    status = status.replayed(offset, r.from());
    ctx.statuses().saveNow(status); // persisted before the request goes, so a crash cannot lose the replay
    dirty = false;
    ctx.ledger().clearReplay(r);
    LOG.log(System.Logger.Level.INFO, "hook " + name + " replays from revision " + r.from() + " (offset " + offset
        + "), asked by " + r.actor());
  }

  private void saveIfDue() {
    if (dirty && System.nanoTime() - savedAt >= ctx.statusInterval().toNanos()) {
      save();
    }
  }

  /** Hands the status to the writer (which persists it off this thread). */
  private void save() {
    ctx.statuses().submit(status);
    dirty = false;
    savedAt = System.nanoTime();
  }
}
