package org.calicoledger.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.calicoledger.model.net.Cidr;

/**
 * Calico's rules for a resource taken alone (the store adds the rules that need other resources, such as pool
 * overlap). {@link #check} throws {@link InvalidResourceException} listing every problem; validation runs on the
 * resource after {@link Resource#withDefaults()}.
 */
public final class Validation {
  private static final Pattern REVISION = Pattern.compile("\\d{1,18}");
  private static final Pattern COMMUNITY = Pattern.compile("(\\d+):(\\d+)(:(\\d+))?");
  private static final Pattern IPV4_PORT = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+):(\\d+)");
  private static final Pattern IPV6_PORT = Pattern.compile("\\[([0-9a-fA-F:.]+)]:(\\d+)");

  private Validation() {}

  /** Throws if {@code r} breaks a rule; {@code where} names it in the message (e.g. the document). */
  public static void check(Resource r, String where) {
    List<InvalidResourceException.Problem> p = problems(r);
    if (!p.isEmpty()) {
      throw new InvalidResourceException(where, p);
    }
  }

  public static List<InvalidResourceException.Problem> problems(Resource r) {
    Checks c = new Checks();
    ObjectMeta m = r.metadata();
    if (m == null) {
      c.add("metadata", null, "must be set, with at least a name");
      return c.problems;
    }
    c.name("metadata.name", m.name());
    if (r.kind().namespaced()) {
      c.name("metadata.namespace", m.namespace() == null || m.namespace().isEmpty() ? "default" : m.namespace());
    } else if (m.namespace() != null && !m.namespace().isEmpty()) {
      c.add("metadata.namespace", m.namespace(), r.kind().kindName() + " is not namespaced; leave the namespace out");
    }
    c.labels("metadata.labels", m.labels());
    if (m.resourceVersion() != null && !m.resourceVersion().isEmpty() && !REVISION.matcher(m.resourceVersion()).matches()) {
      c.add("metadata.resourceVersion", m.resourceVersion(), "must be the revision calicoctl get printed, or left out");
    }
    if (r instanceof IPPool p) {
      ipPool(c, p.spec());
    } else if (r instanceof Node n) {
      node(c, n);
    } else if (r instanceof BGPPeer b) {
      bgpPeer(c, b.spec());
    } else if (r instanceof BGPConfiguration b) {
      bgpConfiguration(c, b);
    } else if (r instanceof FelixConfiguration f) {
      felix(c, f.spec());
    } else if (r instanceof WorkloadEndpoint w) {
      workloadEndpoint(c, w);
    } else if (r instanceof HostEndpoint h) {
      hostEndpoint(c, h.spec());
    } else if (r instanceof Profile p) {
      profile(c, p);
    } else if (r instanceof ClusterInformation ci && !ClusterInformation.NAME.equals(m.name())) {
      c.add("metadata.name", m.name(), "ClusterInformation must be named 'default'");
    } else if (r instanceof Hook h) {
      HookValidation.check(c, h.spec());
    } else if (r instanceof GlobalNetworkPolicy g) {
      PolicyValidation.globalNetworkPolicy(c, g);
    } else if (r instanceof NetworkPolicy n) {
      PolicyValidation.networkPolicy(c, n);
    } else if (r instanceof GlobalNetworkSet g) {
      PolicyValidation.nets(c, g.spec().nets());
    } else if (r instanceof NetworkSet n) {
      PolicyValidation.nets(c, n.spec().nets());
    }
    return c.problems;
  }

  private static void ipPool(Checks c, IPPool.Spec s) {
    if (s.cidr() == null || s.cidr().isEmpty()) {
      c.add("spec.cidr", null, "must be set to the pool's network, e.g. 192.168.0.0/16");
      return;
    }
    Cidr cidr;
    try {
      cidr = Cidr.parse(s.cidr());
    } catch (IllegalArgumentException e) {
      c.add("spec.cidr", s.cidr(), "must be a network in CIDR form, e.g. 192.168.0.0/16 or fd00:10::/64");
      return;
    }
    if (cidr.hasHostBits()) {
      c.add("spec.cidr", s.cidr(), "IPPool CIDR is not strictly masked (host bits set); use " + cidr.network());
    }
    int block = s.blockSize() == 0 ? (cidr.isIpv4() ? 26 : 122) : s.blockSize();
    if (cidr.isIpv4() && (block < 20 || block > 32)) {
      c.add("spec.blockSize", block, "IPv4 block size must be between 20 and 32");
    } else if (!cidr.isIpv4() && (block < 116 || block > 128)) {
      c.add("spec.blockSize", block, "IPv6 block size must be between 116 and 128");
    } else if (!s.disabled() && cidr.prefixLength() > block) {
      c.add("spec.cidr", s.cidr(), "pool is smaller than one block (/" + block
          + "): the prefix length must be at most the block size; use a larger pool or a larger blockSize");
    }
    Cidr linkLocal = Cidr.parse(cidr.isIpv4() ? "169.254.0.0/16" : "fe80::/10");
    if (cidr.overlaps(linkLocal)) {
      c.add("spec.cidr", s.cidr(), "overlaps the link-local range " + linkLocal);
    }
    String modes = "Always, CrossSubnet, Never";
    c.oneOf("spec.ipipMode", s.ipipMode(), true, "Always", "CrossSubnet", "Never");
    c.oneOf("spec.vxlanMode", s.vxlanMode(), true, "Always", "CrossSubnet", "Never");
    boolean ipip = s.ipipMode() != null && !s.ipipMode().isEmpty() && !s.ipipMode().equals("Never");
    boolean vxlan = s.vxlanMode() != null && !s.vxlanMode().isEmpty() && !s.vxlanMode().equals("Never");
    if (ipip && vxlan) {
      c.add("spec.vxlanMode", s.vxlanMode(), "cannot enable both VXLAN and IPIP on the same IPPool: set ipipMode or"
          + " vxlanMode to Never (allowed: " + modes + ")");
    }
    if (ipip && !cidr.isIpv4()) {
      c.add("spec.ipipMode", s.ipipMode(), "IPIP is not supported on an IPv6 IP pool; use Never");
    }
    c.selector("spec.nodeSelector", s.nodeSelector());
    c.selector("spec.namespaceSelector", s.namespaceSelector());
    if (s.nodeSelector() != null && s.nodeSelector().contains("global(")) {
      c.add("spec.nodeSelector", s.nodeSelector(), "global() is not valid in an IPPool nodeSelector; use all()");
    }
    c.oneOf("spec.assignmentMode", s.assignmentMode(), true, "Automatic", "Manual");
    List<String> uses = s.allowedUses() == null ? List.of() : s.allowedUses();
    for (int i = 0; i < uses.size(); i++) {
      c.oneOf("spec.allowedUses[" + i + "]", uses.get(i), false, "Workload", "Tunnel", "LoadBalancer");
    }
    if (uses.contains("LoadBalancer")) {
      if (uses.contains("Workload") || uses.contains("Tunnel")) {
        c.add("spec.allowedUses", uses, "LoadBalancer cannot be combined with Workload or Tunnel");
      }
      if (ipip || vxlan) {
        c.add("spec.allowedUses", uses, "a LoadBalancer pool cannot have IPIP or VXLAN enabled");
      }
    }
  }

  /** Pools among {@code others} (other names) whose CIDR overlaps {@code pool}'s. */
  public static List<IPPool> overlapping(IPPool pool, Collection<IPPool> others) {
    List<IPPool> out = new ArrayList<>();
    Cidr mine;
    try {
      mine = Cidr.parse(pool.spec().cidr());
    } catch (IllegalArgumentException e) {
      return out;
    }
    for (IPPool o : others) {
      if (o.name().equals(pool.name())) {
        continue;
      }
      try {
        if (Cidr.parse(o.spec().cidr()).overlaps(mine)) {
          out.add(o);
        }
      } catch (IllegalArgumentException ignored) {
        // a malformed stored pool overlaps nothing we can compute
      }
    }
    return out;
  }

  private static void node(Checks c, Node n) {
    Node.BGP b = n.spec().bgp();
    if (b != null) {
      if (b.asNumber() == null && empty(b.ipv4Address()) && empty(b.ipv6Address()) && empty(b.ipv4IPIPTunnelAddr())
          && empty(b.routeReflectorClusterID())) {
        c.add("spec.bgp", null, "should not be empty: give ipv4Address or ipv6Address, or leave bgp out");
      }
      c.ipWithOptionalPrefix("spec.bgp.ipv4Address", b.ipv4Address(), 4);
      c.ipWithOptionalPrefix("spec.bgp.ipv6Address", b.ipv6Address(), 6);
      c.ip("spec.bgp.ipv4IPIPTunnelAddr", b.ipv4IPIPTunnelAddr(), 4);
      c.ip("spec.bgp.routeReflectorClusterID", b.routeReflectorClusterID(), 4);
    }
    c.ip("spec.ipv4VXLANTunnelAddr", n.spec().ipv4VXLANTunnelAddr(), 4);
    c.ip("spec.ipv6VXLANTunnelAddr", n.spec().ipv6VXLANTunnelAddr(), 6);
    c.mac("spec.vxlanTunnelMACAddr", n.spec().vxlanTunnelMACAddr());
    c.mac("spec.vxlanTunnelMACAddrV6", n.spec().vxlanTunnelMACAddrV6());
    if (n.spec().wireguard() != null) {
      c.ip("spec.wireguard.interfaceIPv4Address", n.spec().wireguard().interfaceIPv4Address(), 4);
      c.ip("spec.wireguard.interfaceIPv6Address", n.spec().wireguard().interfaceIPv6Address(), 6);
    }
    List<Node.Address> addrs = n.spec().addresses() == null ? List.of() : n.spec().addresses();
    for (int i = 0; i < addrs.size(); i++) {
      c.network("spec.addresses[" + i + "].address", addrs.get(i).address());
      c.oneOf("spec.addresses[" + i + "].type", addrs.get(i).type(), true, "CalicoNodeIP", "InternalIP", "ExternalIP");
    }
    wireguardKey(c, "status.wireguardPublicKey", n.status().wireguardPublicKey());
    wireguardKey(c, "status.wireguardPublicKeyV6", n.status().wireguardPublicKeyV6());
  }

  private static void wireguardKey(Checks c, String field, String key) {
    if (empty(key)) {
      return;
    }
    try {
      if (java.util.Base64.getDecoder().decode(key).length == 32) {
        return;
      }
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    c.add(field, key, "must be a WireGuard public key (base64 of 32 bytes)");
  }

  private static void bgpPeer(Checks c, BGPPeer.Spec s) {
    c.optionalName("spec.node", s.node());
    c.selector("spec.nodeSelector", s.nodeSelector());
    c.selector("spec.peerSelector", s.peerSelector());
    c.selector("spec.localWorkloadSelector", s.localWorkloadSelector());
    if (!empty(s.node()) && !empty(s.nodeSelector())) {
      c.add("spec.node", s.node(), "must be empty when nodeSelector is set (use one or the other)");
    }
    if (!empty(s.peerIP()) && !empty(s.peerSelector())) {
      c.add("spec.peerIP", s.peerIP(), "must be empty when peerSelector is set (use one or the other)");
    }
    if (s.asNumber() != null && s.asNumber().value() != 0 && !empty(s.peerSelector())) {
      c.add("spec.asNumber", s.asNumber(), "must be empty when peerSelector is set (the peers' own AS numbers are used)");
    }
    if (empty(s.peerIP()) && empty(s.peerSelector()) && empty(s.localWorkloadSelector())) {
      c.add("spec.peerIP", null, "must be set (an IP, IPv4:port or [IPv6]:port), unless peerSelector is set");
    }
    if (!empty(s.peerIP())) {
      peerIp(c, s.peerIP());
    }
    c.oneOf("spec.nextHopMode", s.nextHopMode(), true, "Auto", "Self", "Keep");
    c.oneOf("spec.sourceAddress", s.sourceAddress(), true, "UseNodeIP", "None");
    c.oneOf("spec.reversePeering", s.reversePeering(), true, "Auto", "Manual");
    c.duration("spec.maxRestartTime", s.maxRestartTime());
    c.duration("spec.keepaliveTime", s.keepaliveTime());
    c.ip("spec.reachableBy", s.reachableBy(), 0);
    c.range("spec.ttlSecurity", s.ttlSecurity(), 0, 255);
    if (s.keepOriginalNextHop() && !empty(s.nextHopMode())) {
      c.add("spec.keepOriginalNextHop", true, "is deprecated and must not be true when nextHopMode is set");
    }
  }

  private static void peerIp(Checks c, String peerIP) {
    String ip = peerIP;
    String port = null;
    var v4 = IPV4_PORT.matcher(peerIP);
    var v6 = IPV6_PORT.matcher(peerIP);
    if (v4.matches()) {
      ip = v4.group(1);
      port = v4.group(2);
    } else if (v6.matches()) {
      ip = v6.group(1);
      port = v6.group(2);
    }
    try {
      Cidr.parseAddress(ip);
    } catch (IllegalArgumentException e) {
      c.add("spec.peerIP", peerIP, "must be an IP address, IPv4:port or [IPv6]:port");
      return;
    }
    if (port != null) {
      int p = port.length() > 5 ? -1 : Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        c.add("spec.peerIP", peerIP, "port must be 1-65535");
      }
    }
  }

  private static void bgpConfiguration(Checks c, BGPConfiguration b) {
    BGPConfiguration.Spec s = b.spec();
    c.oneOf("spec.logSeverityScreen", s.logSeverityScreen(), true, "Trace", "Debug", "Info", "Warning", "Error", "Fatal");
    c.oneOf("spec.serviceLoadBalancerAggregation", s.serviceLoadBalancerAggregation(), true, "Enabled", "Disabled");
    c.oneOf("spec.bindMode", s.bindMode(), true, "None", "NodeIP");
    c.oneOf("spec.programClusterRoutes", s.programClusterRoutes(), true, "Enabled", "Disabled", "EnabledIPIPOnly",
        "EnabledNoEncapOnly");
    if (s.listenPort() < 0 || s.listenPort() > 65535) {
      c.add("spec.listenPort", s.listenPort(), "must be 1-65535");
    }
    c.duration("spec.nodeMeshMaxRestartTime", s.nodeMeshMaxRestartTime());
    c.ip("spec.localWorkloadPeeringIPV4", s.localWorkloadPeeringIPV4(), 4);
    c.ip("spec.localWorkloadPeeringIPV6", s.localWorkloadPeeringIPV6(), 6);
    blocks(c, "spec.serviceLoadBalancerIPs", s.serviceLoadBalancerIPs());
    blocks(c, "spec.serviceExternalIPs", s.serviceExternalIPs());
    blocks(c, "spec.serviceClusterIPs", s.serviceClusterIPs());
    List<String> names = new ArrayList<>();
    List<BGPConfiguration.Community> communities = s.communities() == null ? List.of() : s.communities();
    for (int i = 0; i < communities.size(); i++) {
      c.name("spec.communities[" + i + "].name", communities.get(i).name());
      community(c, "spec.communities[" + i + "].value", communities.get(i).value());
      names.add(communities.get(i).name());
    }
    List<BGPConfiguration.PrefixAdvertisement> ads = s.prefixAdvertisements() == null ? List.of() : s.prefixAdvertisements();
    if (!communities.isEmpty() && ads.isEmpty()) {
      c.add("spec.communities", null, "communities are defined but not used in spec.prefixAdvertisements");
    }
    for (int i = 0; i < ads.size(); i++) {
      c.network("spec.prefixAdvertisements[" + i + "].cidr", ads.get(i).cidr());
      List<String> used = ads.get(i).communities() == null ? List.of() : ads.get(i).communities();
      for (String u : used) {
        if (!names.contains(u) && !COMMUNITY.matcher(u).matches()) {
          c.add("spec.prefixAdvertisements[" + i + "].communities", u, "is neither a community value (aa:nn or"
              + " aa:nn:mm) nor a name defined in spec.communities");
        }
      }
    }
    if (Boolean.FALSE.equals(s.nodeToNodeMeshEnabled()) && s.nodeMeshPassword() != null) {
      c.add("spec.nodeMeshPassword", null, "cannot be set when nodeToNodeMeshEnabled is false");
    }
    if (!"default".equals(b.name())) {
      onlyOnDefault(c, "nodeToNodeMeshEnabled", s.nodeToNodeMeshEnabled());
      onlyOnDefault(c, "asNumber", s.asNumber());
      onlyOnDefault(c, "serviceLoadBalancerIPs", s.serviceLoadBalancerIPs());
      onlyOnDefault(c, "serviceExternalIPs", s.serviceExternalIPs());
      onlyOnDefault(c, "serviceClusterIPs", s.serviceClusterIPs());
      onlyOnDefault(c, "nodeMeshPassword", s.nodeMeshPassword());
      onlyOnDefault(c, "nodeMeshMaxRestartTime", s.nodeMeshMaxRestartTime());
    }
  }

  private static void onlyOnDefault(Checks c, String field, Object value) {
    if (value != null) {
      c.add("spec." + field, null, "can only be set on the BGPConfiguration named 'default'");
    }
  }

  private static void blocks(Checks c, String field, List<BGPConfiguration.CidrBlock> blocks) {
    if (blocks != null) {
      for (int i = 0; i < blocks.size(); i++) {
        c.network(field + "[" + i + "].cidr", blocks.get(i).cidr());
      }
    }
  }

  private static void community(Checks c, String field, String value) {
    var m = value == null ? null : COMMUNITY.matcher(value);
    if (m == null || !m.matches()) {
      c.add(field, value, "must be a community value aa:nn or aa:nn:mm");
      return;
    }
    long limit = m.group(3) == null ? 0xFFFFL : 0xFFFF_FFFFL;
    for (String part : value.split(":")) {
      if (part.length() > 10 || Long.parseLong(part) > limit) {
        c.add(field, value, "each part must fit in " + (limit == 0xFFFFL ? "16" : "32") + " bits");
        return;
      }
    }
  }

  private static void felix(Checks c, FelixConfiguration.Spec s) {
    s.fields().forEach((name, value) -> {
      var field = FelixField.lookup(name);
      if (field.isEmpty()) {
        c.add("spec." + name, null, "unknown field for FelixConfiguration (" + FelixField.count()
            + " fields are known; check the spelling against Calico's FelixConfiguration reference)");
      } else {
        field.get().check(value).ifPresent(why -> c.add("spec." + name, value, why));
      }
    });
  }

  private static void workloadEndpoint(Checks c, WorkloadEndpoint w) {
    WorkloadEndpoint.Spec s = w.spec();
    if (empty(s.node())) {
      c.add("spec.node", null, "must be set to the node the endpoint lives on");
    }
    c.interfaceName("spec.interfaceName", s.interfaceName(), true);
    List<String> nets = s.ipNetworks() == null ? List.of() : s.ipNetworks();
    for (int i = 0; i < nets.size(); i++) {
      var net = c.network("spec.ipNetworks[" + i + "]", nets.get(i));
      if (net != null && net.prefixLength() != net.bits()) {
        c.add("spec.ipNetworks[" + i + "]", nets.get(i), "must be a single address (/32 or /128)");
      }
    }
    c.ip("spec.ipv4Gateway", s.ipv4Gateway(), 4);
    c.ip("spec.ipv6Gateway", s.ipv6Gateway(), 6);
    c.mac("spec.mac", s.mac());
    if (s.profiles() != null) {
      for (int i = 0; i < s.profiles().size(); i++) {
        c.name("spec.profiles[" + i + "]", s.profiles().get(i));
      }
    }
    if (s.ports() != null) {
      for (int i = 0; i < s.ports().size(); i++) {
        WorkloadEndpoint.Port p = s.ports().get(i);
        c.protocol("spec.ports[" + i + "].protocol", p.protocol());
        if (p.protocol() != null && !Checks.supportsPorts(p.protocol())) {
          c.add("spec.ports[" + i + "].protocol", p.protocol(), "does not support ports; use TCP, UDP or SCTP");
        }
        if (empty(p.name()) && p.hostPort() == 0) {
          c.add("spec.ports[" + i + "].name", null, "must be set when no hostPort is given");
        }
      }
    }
    String expected = WorkloadEndpoint.expectedName(s);
    if (!empty(s.node()) && !expected.equals(w.name())) {
      c.add("metadata.name", w.name(), "does not match the endpoint's identifiers in spec; expected " + expected);
    }
  }

  private static void hostEndpoint(Checks c, HostEndpoint.Spec s) {
    if (empty(s.node())) {
      c.add("spec.node", null, "must be set to the node the endpoint lives on");
    }
    if (empty(s.interfaceName()) && (s.expectedIPs() == null || s.expectedIPs().isEmpty())) {
      c.add("spec.interfaceName", null, "give interfaceName or expectedIPs (at least one)");
    }
    c.interfaceName("spec.interfaceName", s.interfaceName(), false);
    if (s.expectedIPs() != null) {
      for (int i = 0; i < s.expectedIPs().size(); i++) {
        c.ip("spec.expectedIPs[" + i + "]", s.expectedIPs().get(i), 0);
      }
    }
    if (s.ports() != null) {
      for (int i = 0; i < s.ports().size(); i++) {
        HostEndpoint.EndpointPort p = s.ports().get(i);
        c.protocol("spec.ports[" + i + "].protocol", p.protocol());
        if (p.port() < 1 || p.port() > 65535) {
          c.add("spec.ports[" + i + "].port", p.port(), "must be 1-65535");
        }
      }
    }
  }

  private static void profile(Checks c, Profile p) {
    if (Profile.DEFAULT_ALLOW.equals(p.name())) {
      c.add("metadata.name", p.name(), "is Calico's built-in profile and cannot be written; choose another name");
    }
    RuleValidation.rules(c, "spec.ingress", p.spec().ingress());
    RuleValidation.rules(c, "spec.egress", p.spec().egress());
    if (p.spec().labelsToApply() != null) {
      c.labels("spec.labelsToApply", p.spec().labelsToApply());
    }
  }

  private static boolean empty(String s) {
    return s == null || s.isEmpty();
  }
}
