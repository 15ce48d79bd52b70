package org.calicoledger.node.feed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.subscriber.ImagePublisher;
import org.calicoledger.events.subscriber.Subscriber;
import org.calicoledger.node.NodeService;

/**
 * The one change-log subscriber of a calico-node, shared by Felix, confd and the BGP speaker: one Kafka consumer and
 * one {@link ClusterImage} per node, fanned out to every registered {@link ImagePublisher} in registration order, on
 * the subscriber's thread.
 *
 * <p>Rules: publishers register before {@link #start} (a late registration is refused: it would miss the catch-up
 * delta); a publisher must not block (hand heavy work to its own thread); a publisher that throws stops the feed for
 * everyone ({@link #ready} turns false and {@link #failure} says why), because skipping a revision would leave the
 * others' view and its own inconsistent.
 */
public final class ImageFeed implements NodeService, ImagePublisher {
  private static final System.Logger LOG = System.getLogger("calico-node.feed");
  private final KafkaSettings kafka;
  private final String nodename;
  private final Duration connectTimeout;
  private final List<ImagePublisher> publishers = new CopyOnWriteArrayList<>();
  private volatile Subscriber subscriber;
  private volatile Throwable failure;

  public ImageFeed(KafkaSettings kafka, Duration connectTimeout, String nodename) {
    this.kafka = kafka;
    this.connectTimeout = connectTimeout;
    this.nodename = nodename;
  }

  /** Adds a publisher; only before {@link #start}. */
  public void register(ImagePublisher p) {
    if (subscriber != null) {
      throw new IllegalStateException("the image feed has started; register publishers before it starts");
    }
    publishers.add(p);
  }

  @Override
  public String name() {
    return "feed";
  }

  @Override
  public void start() {
    subscriber = Subscriber.start(kafka, Subscriber.Options.defaults()
        .withName("calico-node-feed-" + nodename).withConnectTimeout(connectTimeout), this);
  }

  /** Whether the feed has loaded the cluster's state and keeps following. */
  @Override
  public boolean ready() {
    Subscriber s = subscriber;
    return s != null && s.synced() && failure == null && s.failure().isEmpty();
  }

  @Override
  public void onUpdate(ClusterDelta delta, ClusterImage image) {
    for (ImagePublisher p : publishers) {
      p.onUpdate(delta, image);
    }
  }

  @Override
  public void onSynced(ClusterImage image) {
    for (ImagePublisher p : publishers) {
      p.onSynced(image);
    }
  }

  @Override
  public void onFailure(Throwable error) {
    failure = error;
    LOG.log(System.Logger.Level.ERROR, "change-log feed stopped: " + error);
    for (ImagePublisher p : publishers) {
      try {
        p.onFailure(error);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "publisher failed while told of the feed's failure: " + e);
      }
    }
  }

  @Override
  public void stop() {
    Subscriber s = subscriber;
    if (s != null) {
      s.close();
    }
  }
}
