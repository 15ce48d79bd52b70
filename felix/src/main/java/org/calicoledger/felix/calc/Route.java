package org.calicoledger.felix.calc;

/**
 * One IPv4 route Felix wants in the main table, keyed by {@link #dst}. Three shapes, as Calico programs them:
 * <ul>
 *   <li>{@link Type#LOCAL}: a workload's address, {@code <ip>/32 dev <cali...> scope link};</li>
 *   <li>{@link Type#BLACKHOLE}: a block affine to this node, so addresses of it that no workload holds go nowhere;</li>
 *   <li>{@link Type#VIA}: another node's block, {@code via <gateway> [dev <dev> onlink]}; {@code dev} null means the
 *       kernel picks the device that reaches the gateway (a direct route on the uplink).</li>
 * </ul>
 *
 * @param dst network CIDR ({@code 10.0.0.5/32}, {@code 10.0.1.0/26})
 */
public record Route(String dst, Type type, String gateway, String dev, boolean onlink) {
  public enum Type { LOCAL, BLACKHOLE, VIA }

  public static Route local(String dst, String dev) {
    return new Route(dst, Type.LOCAL, null, dev, false);
  }

  public static Route blackhole(String dst) {
    return new Route(dst, Type.BLACKHOLE, null, null, false);
  }

  /** {@code via gateway dev dev onlink} (through a tunnel device). */
  public static Route tunnel(String dst, String gateway, String dev) {
    return new Route(dst, Type.VIA, gateway, dev, true);
  }

  /** {@code via gateway} on whichever device reaches it (the gateway must be on a connected subnet). */
  public static Route direct(String dst, String gateway) {
    return new Route(dst, Type.VIA, gateway, null, false);
  }

  /** Whether {@code actual} (as read from the kernel) is this route; a null {@link #dev} matches any device. */
  public boolean matches(Route actual) {
    return actual != null && type == actual.type && java.util.Objects.equals(gateway, actual.gateway)
        && onlink == actual.onlink && (dev == null || dev.equals(actual.dev));
  }

  /** The {@code ip} batch command that programs it with protocol {@code proto}. */
  public String replaceCommand(int proto) {
    return switch (type) {
      case LOCAL -> "route replace " + dst + " dev " + dev + " scope link proto " + proto;
      case BLACKHOLE -> "route replace blackhole " + dst + " proto " + proto;
      case VIA -> "route replace " + dst + " via " + gateway + (dev == null ? "" : " dev " + dev)
          + (onlink ? " onlink" : "") + " proto " + proto;
    };
  }

  /** The {@code ip} batch command that removes it (only a route of protocol {@code proto}). */
  public String deleteCommand(int proto) {
    return "route del " + (type == Type.BLACKHOLE ? "blackhole " : "") + dst + " proto " + proto;
  }

  @Override
  public String toString() {
    return replaceCommand(80).substring("route replace ".length());
  }
}
