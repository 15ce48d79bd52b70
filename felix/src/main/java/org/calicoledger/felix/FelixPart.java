package org.calicoledger.felix;

import org.calicoledger.events.image.ClusterImage;

/**
 * One concern of Felix: it computes its desired dataplane from the cluster image (calc) and reconciles the kernel
 * tables it owns against it (dataplane). {@code Felix} drives every part from one thread, in the order of
 * {@link FelixParts}: devices before the routes that use them when adding, the reverse when removing.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #onImage} is pure computation: it records the desired state for this node and never touches the
 *       kernel; it is cheap when nothing this part depends on changed.</li>
 *   <li>{@link #apply} programs the difference between desired and actual. With {@code full} it first reads the
 *       actual state back from the kernel (start and periodic resync, repairs changes made by hand); without it, it may
 *       trust its own record of what it last programmed. It touches only what it owns (route protocol id, {@code cali}
 *       chain and ipset prefixes, rule-hash comments, its own devices).</li>
 *   <li>Nothing is applied before the first full sync of the image ({@code Felix} guarantees it).</li>
 *   <li>{@link #close} removes nothing: a restarted Felix resyncs what it finds.</li>
 * </ul>
 */
public interface FelixPart extends AutoCloseable {
  /** Short name for logs and metrics ({@code routes}, {@code iptables}, {@code ipsets}, {@code wireguard}, ...). */
  String name();

  /** Records the desired state for {@code image} (on the Felix thread). */
  void onImage(ClusterImage image);

  /**
   * Programs the kernel towards the desired state.
   *
   * @param full read everything back from the kernel first (resync)
   * @return whether anything was changed in the kernel
   */
  boolean apply(boolean full) throws Exception;

  /**
   * Whether this pass's {@link #apply} (with {@code full}) changes nothing a later part's apply depends on, so the
   * next part may apply at the same time (e.g. only members of existing ipsets change: no iptables rule can name a
   * set that is not there yet). Asked on the Felix thread just before the apply; default no.
   */
  default boolean mayOverlapNext(boolean full) {
    return false;
  }

  @Override
  default void close() {}
}
