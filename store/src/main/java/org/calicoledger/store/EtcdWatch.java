package org.calicoledger.store;

import io.etcd.jetcd.Watch.Watcher;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A prefix watch that delivers each revision exactly once, in order, across disconnects.
 *
 * <p>Invariant: {@code next} is the lowest revision not yet delivered. Events below it are dropped (jetcd may replay
 * after its own internal resume), and every (re)subscription starts at {@code next}, so an etcd restart or a network
 * break neither skips nor repeats a revision. Compaction past {@code next} ends the watch with
 * {@link StoreException.Compacted}; any other error re-subscribes after a short backoff until {@link #close()}.
 */
final class EtcdWatch implements Watch {
  private static final ScheduledExecutorService RETRY = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "etcd-watch-retry");
    t.setDaemon(true);
    return t;
  });

  private final io.etcd.jetcd.Watch client;
  private final String prefix;
  private final Watch.Listener listener;
  private volatile long next;
  private volatile boolean closed;
  private Watcher current;
  private int failures;

  EtcdWatch(io.etcd.jetcd.Watch client, String prefix, long from, Watch.Listener listener) {
    this.client = client;
    this.prefix = prefix;
    this.listener = listener;
    this.next = from;
    subscribe();
  }

  private synchronized void subscribe() {
    if (closed) {
      return;
    }
    WatchOption.Builder opt = WatchOption.builder().isPrefix(true).withPrevKV(true);
    if (next > 0) {
      opt.withRevision(next);
    }
    current = client.watch(EtcdStore.bytes(prefix), opt.build(), new io.etcd.jetcd.Watch.Listener() {
      @Override
      public void onNext(WatchResponse response) {
        deliver(response);
      }

      @Override
      public void onError(Throwable t) {
        failed(t);
      }

      @Override
      public void onCompleted() {
        failed(null);
      }
    });
  }

  private void deliver(WatchResponse response) {
    List<WatchEvent> events = new ArrayList<>(response.getEvents().size());
    long floor = next;
    for (io.etcd.jetcd.watch.WatchEvent e : response.getEvents()) {
      long rev = e.getKeyValue().getModRevision();
      if (rev < floor) {
        continue;
      }
      boolean put = e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.PUT;
      byte[] prev = e.getPrevKV() == null || e.getPrevKV().getKey().isEmpty() ? null : e.getPrevKV().getValue().getBytes();
      events.add(new WatchEvent(put ? WatchEvent.Type.PUT : WatchEvent.Type.DELETE,
          e.getKeyValue().getKey().toString(java.nio.charset.StandardCharsets.UTF_8),
          put ? e.getKeyValue().getValue().getBytes() : null, prev, rev));
    }
    if (events.isEmpty() || closed) {
      return;
    }
    synchronized (this) {
      failures = 0;
    }
    listener.onEvents(events);
    next = events.get(events.size() - 1).modRevision() + 1;
  }

  private void failed(Throwable t) {
    if (closed) {
      return;
    }
    CompactedException compacted = compaction(t);
    if (compacted != null) {
      closed = true;
      closeCurrent();
      listener.onError(new StoreException.Compacted(next, compacted.getCompactedRevision()));
      return;
    }
    long delay;
    synchronized (this) {
      closeCurrent();
      delay = Math.min(2000, 50L << Math.min(failures++, 6));
    }
    RETRY.schedule(this::subscribe, delay, TimeUnit.MILLISECONDS);
  }

  private static CompactedException compaction(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CompactedException ce) {
        return ce;
      }
    }
    return null;
  }

  private synchronized void closeCurrent() {
    if (current != null) {
      try {
        current.close();
      } catch (RuntimeException ignored) {
        // already broken
      }
      current = null;
    }
  }

  @Override
  public void close() {
    closed = true;
    closeCurrent();
  }
}
