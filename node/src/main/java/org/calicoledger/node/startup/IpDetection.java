package org.calicoledger.node.startup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.calicoledger.model.net.Cidr;

/**
 * The node's IPv4 address by Calico's {@code IP_AUTODETECTION_METHOD}s, over the interfaces of this process's network
 * namespace (in index order, as Go lists them):
 * <ul>
 *   <li>{@code first-found} (default): the first global unicast address of an interface not matching Calico's
 *       exclusions ({@code ^docker.*}, {@code ^cali.*}, {@code ^lo}, {@code ^veth.*}, ...);</li>
 *   <li>{@code interface=REGEX[,REGEX]}: the first address of an interface whose name matches one of them;</li>
 *   <li>{@code skip-interface=REGEX[,REGEX]}: as first-found, also skipping those;</li>
 *   <li>{@code cidr=CIDR[,CIDR]}: the first address inside one of them;</li>
 *   <li>{@code can-reach=DEST}: the source address the kernel picks for DEST (a connected UDP socket: no packet is
 *       sent), which must be on one of the interfaces.</li>
 * </ul>
 * Regexes match anywhere in the name, as Go's {@code MatchString}. The address keeps its interface's prefix length.
 */
public final class IpDetection {
  static final List<String> DEFAULT_EXCLUDES = List.of("^docker.*", "^cbr.*", "^dummy.*", "^podman.*", "^virbr.*",
      "^lxcbr.*", "^veth.*", "^lo", "^br-.*", "^cali.*", "^tunl.*", "^flannel.*", "^kube-ipvs.*", "^cni.*",
      "^vxlan\\.calico.*", "^vxlan-v6\\.calico.*", "^wireguard\\.cali.*", "^wg-v6\\.cali.*", "^nodelocaldns.*");

  /** One interface: name, kernel index, and its IPv4 addresses with their prefix lengths. */
  public record Iface(String name, int index, List<Cidr> addresses) {}

  private IpDetection() {}

  /** The address {@code method} picks among {@code ifaces}; empty when nothing fits. */
  public static Optional<Cidr> detect(String method, List<Iface> ifaces) {
    String m = method == null || method.isBlank() ? "first-found" : method.trim();
    if (m.equals("first-found")) {
      return first(ifaces, List.of(), patterns(DEFAULT_EXCLUDES, "default exclusions"), List.of());
    }
    if (m.startsWith("interface=")) {
      return first(ifaces, patterns(split(m, "interface="), m), List.of(), List.of());
    }
    if (m.startsWith("skip-interface=")) {
      List<Pattern> excl = new ArrayList<>(patterns(DEFAULT_EXCLUDES, "default exclusions"));
      excl.addAll(patterns(split(m, "skip-interface="), m));
      return first(ifaces, List.of(), excl, List.of());
    }
    if (m.startsWith("cidr=")) {
      List<Cidr> cidrs = new ArrayList<>();
      for (String c : split(m, "cidr=")) {
        try {
          cidrs.add(Cidr.parse(c).network());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("IP_AUTODETECTION_METHOD=" + m + ": " + e.getMessage());
        }
      }
      return first(ifaces, List.of(), List.of(), cidrs);
    }
    if (m.startsWith("can-reach=")) {
      String dest = m.substring("can-reach=".length()).trim();
      InetAddress local = sourceFor(dest);
      return ifaces.stream().flatMap(i -> i.addresses().stream())
          .filter(c -> c.address().equals(local)).findFirst();
    }
    throw new IllegalArgumentException("IP_AUTODETECTION_METHOD='" + m + "' is not one of first-found,"
        + " interface=REGEX, skip-interface=REGEX, cidr=CIDR, can-reach=DESTINATION");
  }

  /** {@code IP=ADDR} without a prefix: the prefix of the interface that has it (a host route when none has). */
  public static Cidr withPrefix(String ip, List<Iface> ifaces) {
    if (ip.contains("/")) {
      return Cidr.parse(ip);
    }
    Cidr host = Cidr.parseAddress(ip);
    return ifaces.stream().flatMap(i -> i.addresses().stream())
        .filter(c -> c.address().equals(host.address())).findFirst().orElse(host);
  }

  private static Optional<Cidr> first(List<Iface> ifaces, List<Pattern> incl, List<Pattern> excl, List<Cidr> within) {
    for (Iface i : ifaces.stream().sorted(Comparator.comparingInt(Iface::index)).toList()) {
      if (!incl.isEmpty() && incl.stream().noneMatch(p -> p.matcher(i.name()).find())) {
        continue;
      }
      if (excl.stream().anyMatch(p -> p.matcher(i.name()).find())) {
        continue;
      }
      for (Cidr c : i.addresses()) {
        if (globalUnicast(c.address()) && (within.isEmpty()
            || within.stream().anyMatch(w -> w.contains(Cidr.of(c.address(), 32))))) {
          return Optional.of(c);
        }
      }
    }
    return Optional.empty();
  }

  static boolean globalUnicast(InetAddress a) {
    return !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isMulticastAddress() && !a.isAnyLocalAddress()
        && !a.getHostAddress().equals("255.255.255.255");
  }

  private static List<String> split(String method, String prefix) {
    List<String> out = new ArrayList<>();
    for (String s : method.substring(prefix.length()).split("\\s*,\\s*")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("IP_AUTODETECTION_METHOD=" + method + " names nothing after '" + prefix + "'");
    }
    return out;
  }

  private static List<Pattern> patterns(List<String> regexes, String what) {
    List<Pattern> out = new ArrayList<>();
    for (String r : regexes) {
      try {
        out.add(Pattern.compile(r));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("IP_AUTODETECTION_METHOD " + what + ": '" + r + "' is not a regular"
            + " expression: " + e.getDescription());
      }
    }
    return out;
  }

  private static InetAddress sourceFor(String dest) {
    try (DatagramSocket s = new DatagramSocket()) {
      s.connect(new InetSocketAddress(dest, 80));
      InetAddress local = s.getLocalAddress();
      if (local == null || local.isAnyLocalAddress()) {
        throw new IllegalArgumentException("IP_AUTODETECTION_METHOD=can-reach=" + dest + ": no route to " + dest);
      }
      return local;
    } catch (IOException e) {
      throw new IllegalArgumentException("IP_AUTODETECTION_METHOD=can-reach=" + dest + ": " + e.getMessage());
    }
  }

  /** The IPv4 interfaces of this process's network namespace. */
  public static List<Iface> interfaces() {
    List<Iface> out = new ArrayList<>();
    try {
      Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
      while (all != null && all.hasMoreElements()) {
        NetworkInterface n = all.nextElement();
        List<Cidr> addrs = new ArrayList<>();
        for (InterfaceAddress a : n.getInterfaceAddresses()) {
          if (a.getAddress() instanceof Inet4Address v4) {
            addrs.add(Cidr.of(v4, a.getNetworkPrefixLength()));
          }
        }
        out.add(new Iface(n.getName(), n.getIndex(), addrs));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list network interfaces", e);
    }
    return out;
  }
}
