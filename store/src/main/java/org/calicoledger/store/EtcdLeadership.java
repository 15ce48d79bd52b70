package org.calicoledger.store;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Leadership} with jetcd's lease and election services. The candidacy key lives on our lease, so revoking or
 * expiring the lease deletes it; we watch that key and the lease's keep-alive stream, and either ending means lost.
 */
final class EtcdLeadership implements Leadership {
  private final Client client;
  private final long lease;
  private final CloseableClient keepAlive;
  private final CompletableFuture<LeaderKey> elected;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private volatile io.etcd.jetcd.Watch.Watcher keyWatch;

  EtcdLeadership(EtcdStore store, Client client, String election, String proposal, Duration ttl) {
    this.client = client;
    this.lease = store.await(client.getLeaseClient().grant(Math.max(1, ttl.toSeconds())), "granting a lease", true).getID();
    this.keepAlive = client.getLeaseClient().keepAlive(lease, new StreamObserver<>() {
      @Override
      public void onNext(LeaseKeepAliveResponse r) {
        if (r.getTTL() <= 0) {
          lost.complete(null);
        }
      }

      @Override
      public void onError(Throwable t) {
        lost.complete(null);
      }

      @Override
      public void onCompleted() {
        lost.complete(null);
      }
    });
    this.elected = client.getElectionClient().campaign(EtcdStore.bytes(election), lease, EtcdStore.bytes(proposal))
        .thenApply(r -> r.getLeader());
    elected.whenComplete((key, err) -> {
      if (err != null) {
        lost.complete(null);
        return;
      }
      keyWatch = client.getWatchClient().watch(key.getKey(), WatchOption.builder().withRevision(key.getRevision()).build(),
          response -> {
            if (response.getEvents().stream().anyMatch(e -> e.getEventType() == WatchEvent.EventType.DELETE)) {
              lost.complete(null);
            }
          }, t -> lost.complete(null));
    });
    lost.whenComplete((v, e) -> elected.cancel(true));
  }

  @Override
  public boolean awaitLeadership(Duration timeout) throws InterruptedException {
    try {
      elected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return isLeader();
    } catch (TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
      return false;
    }
  }

  @Override
  public boolean isLeader() {
    return elected.isDone() && !elected.isCompletedExceptionally() && !lost.isDone();
  }

  @Override
  public CompletableFuture<Void> lost() {
    return lost;
  }

  @Override
  public long leaseId() {
    return lease;
  }

  @Override
  public void close() {
    lost.complete(null);
    if (keyWatch != null) {
      keyWatch.close();
    }
    keepAlive.close();
    try {
      client.getLeaseClient().revoke(lease).get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the lease expires by itself within its TTL
    }
  }
}
