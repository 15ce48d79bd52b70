package org.calicoledger.hooks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Persists hook statuses off the workers' delivery path: a worker hands over its latest status and goes on; one writer
 * thread writes the newest status of each hook to etcd (older ones handed over meanwhile are simply replaced, never
 * written after a newer one). An etcd write therefore never delays a delivery, and a slow etcd only makes positions
 * lag (a crash then re-delivers a little more; it never skips, since a position only names events already done).
 *
 * <p>Threads: {@link #submit} from any worker; {@link #saveNow} and {@link #forget} write synchronously; every etcd
 * write happens under {@code lock}, so a forgotten hook's status cannot be written back by a write already under way.
 */
final class StatusWriter implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.calicoledger.hooks");

  private final HookLedger ledger;
  private final Object lock = new Object();
  private final Map<String, HookStatus> pending = new LinkedHashMap<>(); // guarded by lock
  private final Thread thread;
  private volatile boolean running = true;

  StatusWriter(HookLedger ledger) {
    this.ledger = ledger;
    this.thread = new Thread(this::run, "hook-status-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Writes {@code s} soon; a newer status of the same hook handed over before then replaces it. */
  void submit(HookStatus s) {
    synchronized (lock) {
      pending.put(s.hook(), s);
      lock.notifyAll();
    }
  }

  /** Writes {@code s} now (it replaces any status of the hook still waiting); throws if etcd refuses. */
  void saveNow(HookStatus s) {
    synchronized (lock) {
      pending.remove(s.hook());
      ledger.save(s);
    }
  }

  /** Drops what waits for {@code hook} and deletes its status and replay request. */
  void forget(String hook) {
    synchronized (lock) {
      pending.remove(hook);
      ledger.forget(hook);
    }
  }

  private void run() {
    while (running) {
      try {
        drain();
        synchronized (lock) {
          if (pending.isEmpty() && running) {
            lock.wait(1000);
          }
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Writes everything waiting, one hook at a time; a failed write stays waiting (unless replaced) and is retried. */
  private void drain() throws InterruptedException {
    for (String hook : snapshot()) {
      synchronized (lock) {
        HookStatus s = pending.remove(hook);
        if (s == null) {
          continue;
        }
        try {
          ledger.save(s);
        } catch (RuntimeException e) {
          pending.putIfAbsent(hook, s);
          LOG.log(System.Logger.Level.WARNING, "cannot save the status of hook " + hook + ": " + e.getMessage()
              + "; retrying in 1s");
          lock.wait(1000);
          return;
        }
      }
    }
  }

  private Iterable<String> snapshot() {
    synchronized (lock) {
      return new ArrayList<>(pending.keySet());
    }
  }

  /** Writes what still waits (best effort), then stops. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    synchronized (lock) {
      lock.notifyAll();
    }
    thread.join(TimeUnit.SECONDS.toMillis(10));
    synchronized (lock) {
      for (HookStatus s : pending.values()) {
        try {
          ledger.save(s);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "cannot save the status of hook " + s.hook() + ": " + e.getMessage());
        }
      }
      pending.clear();
    }
  }
}
