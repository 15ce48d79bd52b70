package org.calicoledger.ipam;

import java.util.Optional;
import org.calicoledger.model.net.Cidr;

/**
 * Calico's IPAM key layout in etcd (libcalico-go's {@code model.BlockKey}, {@code BlockAffinityKey}, {@code IPAMHandleKey},
 * {@code IPAMConfigKey}): blocks {@code /calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26}, affinities
 * {@code /calico/ipam/v2/host/<host>/ipv4/block/10.0.0.0-26}, handles {@code /calico/ipam/v2/handle/<id>} and the
 * configuration {@code /calico/ipam/v2/config}.
 */
public final class IpamKeys {
  public static final String ROOT = "/calico/ipam/v2/";
  public static final String BLOCKS = ROOT + "assignment/";
  public static final String HOSTS = ROOT + "host/";
  public static final String HANDLES = ROOT + "handle/";
  public static final String CONFIG = ROOT + "config";

  private IpamKeys() {}

  /** Where an affinity key names its host and block. */
  public record AffinityKey(String host, Cidr cidr) {
    public String key() {
      return affinity(host, cidr);
    }
  }

  public static String blockPrefix(int version) {
    return BLOCKS + "ipv" + version + "/block/";
  }

  public static String block(Cidr cidr) {
    return blockPrefix(cidr.version()) + cidr.toKeySegment();
  }

  public static String hostPrefix(String host) {
    return HOSTS + checkName("host", host) + "/";
  }

  public static String affinity(String host, Cidr cidr) {
    return hostPrefix(host) + "ipv" + cidr.version() + "/block/" + cidr.toKeySegment();
  }

  public static String handle(String handleId) {
    return HANDLES + checkName("handle", handleId);
  }

  /** The block CIDR a block key names, if it is one. */
  public static Optional<Cidr> parseBlock(String key) {
    if (!key.startsWith(BLOCKS)) {
      return Optional.empty();
    }
    String rest = key.substring(BLOCKS.length());
    int slash = rest.indexOf("/block/");
    if (slash < 0 || !rest.startsWith("ipv")) {
      return Optional.empty();
    }
    return segment(rest.substring(slash + "/block/".length()));
  }

  public static Optional<AffinityKey> parseAffinity(String key) {
    if (!key.startsWith(HOSTS)) {
      return Optional.empty();
    }
    String[] parts = key.substring(HOSTS.length()).split("/");
    if (parts.length != 4 || !parts[2].equals("block") || !parts[1].startsWith("ipv")) {
      return Optional.empty();
    }
    return segment(parts[3]).map(c -> new AffinityKey(parts[0], c));
  }

  public static Optional<String> parseHandle(String key) {
    if (!key.startsWith(HANDLES) || key.length() == HANDLES.length() || key.indexOf('/', HANDLES.length()) >= 0) {
      return Optional.empty();
    }
    return Optional.of(key.substring(HANDLES.length()));
  }

  /** {@code 10.0.0.0-26} back to a CIDR (Calico replaces the first {@code -}; addresses never contain one). */
  private static Optional<Cidr> segment(String seg) {
    int dash = seg.indexOf('-');
    if (dash < 0 || seg.indexOf('/') >= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(Cidr.parse(seg.substring(0, dash) + "/" + seg.substring(dash + 1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Host names and handle ids become one etcd key segment: they must be non-empty and free of {@code /}. */
  static String checkName(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw new IpamException.InvalidRequest("a " + what + " name is required");
    }
    if (name.indexOf('/') >= 0) {
      throw new IpamException.InvalidRequest(what + " '" + name + "' contains '/', which cannot be part of an etcd key segment");
    }
    return name;
  }
}
