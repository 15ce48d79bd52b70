package org.calicoledger.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.calicoledger.model.BGPConfiguration;
import org.calicoledger.model.BGPPeer;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.GlobalNetworkPolicy;
import org.calicoledger.model.GlobalNetworkSet;
import org.calicoledger.model.HostEndpoint;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.model.NetworkPolicy;
import org.calicoledger.model.NetworkSet;
import org.calicoledger.model.Node;
import org.calicoledger.model.PolicyOrder;
import org.calicoledger.model.Profile;
import org.calicoledger.model.Resource;
import org.calicoledger.model.WorkloadEndpoint;

/**
 * calicoctl's {@code -o ps} and {@code -o wide} tables: per kind, the column headings and how each cell is computed.
 * Layout as calicoctl's tab writer: every cell (the last one too) padded to the column's widest value plus three
 * spaces, at least five wide, and a blank line after the table.
 */
final class Tables {
  record Column(String heading, Function<Resource, String> cell) {}

  private Tables() {}

  static String render(Kind kind, List<? extends Resource> items, boolean wide, boolean withNamespace, String globalAs) {
    List<Column> cols = new ArrayList<>(columns(kind, wide, globalAs));
    if (withNamespace && kind.namespaced()) {
      cols.add(0, new Column("NAMESPACE", Resource::namespace));
    }
    return layout(cols, items);
  }

  private static String layout(List<Column> cols, List<? extends Resource> items) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(cols.stream().map(Column::heading).toList());
    for (Resource r : items) {
      rows.add(cols.stream().map(c -> {
        String v = c.cell().apply(r);
        return v == null ? "" : v;
      }).toList());
    }
    int[] widths = new int[cols.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], Math.max(5, row.get(i).length() + 3));
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        sb.append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length()));
      }
      sb.append('\n');
    }
    return sb.append('\n').toString();
  }

  /** {@code -o custom-columns=A,B}: any headings of the kind's wide table (and NAMESPACE), in the order given. */
  static String custom(Kind kind, List<? extends Resource> items, List<String> headings, String globalAs) {
    List<Column> all = new ArrayList<>(columns(kind, true, globalAs));
    all.add(new Column("NAMESPACE", Resource::namespace));
    List<Column> cols = new ArrayList<>();
    for (String h : headings) {
      Column c = all.stream().filter(x -> x.heading().equalsIgnoreCase(h.trim())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("Unknown heading " + h + ", valid values are: "
              + all.stream().map(Column::heading).collect(Collectors.joining(", "))));
      cols.add(c);
    }
    return layout(cols, items);
  }

  private static List<Column> columns(Kind kind, boolean wide, String globalAs) {
    Column name = new Column("NAME", Resource::name);
    return switch (kind) {
      case IP_POOL -> wide
          ? List.of(name, pool(s -> s.cidr()), new Column("NAT", r -> Boolean.toString(((IPPool) r).spec().natOutgoing())),
              new Column("IPIPMODE", r -> ((IPPool) r).spec().ipip().wire()),
              new Column("VXLANMODE", r -> ((IPPool) r).spec().vxlan().wire()),
              new Column("DISABLED", r -> Boolean.toString(((IPPool) r).spec().disabled())),
              new Column("DISABLEBGPEXPORT", r -> Boolean.toString(((IPPool) r).spec().disableBGPExport())),
              new Column("SELECTOR", r -> ((IPPool) r).spec().nodeSelector()),
              new Column("ASSIGNMENTMODE", r -> ((IPPool) r).spec().assignmentMode()))
          : List.of(name, pool(s -> s.cidr()), new Column("SELECTOR", r -> ((IPPool) r).spec().nodeSelector()));
      case NODE -> wide
          ? List.of(name, new Column("ASN", r -> asn((Node) r, globalAs)),
              new Column("IPV4", r -> bgp((Node) r, Node.BGP::ipv4Address)),
              new Column("IPV6", r -> bgp((Node) r, Node.BGP::ipv6Address)))
          : List.of(name);
      case BGP_PEER -> List.of(name, new Column("PEERIP", r -> ((BGPPeer) r).spec().peerIP()),
          new Column("NODE", r -> peerNode(((BGPPeer) r).spec())),
          new Column("ASN", r -> ((BGPPeer) r).spec().asNumber() == null ? "0" : ((BGPPeer) r).spec().asNumber().toString()));
      case BGP_CONFIGURATION -> List.of(name,
          new Column("LOGSEVERITY", r -> ((BGPConfiguration) r).spec().logSeverityScreen()),
          new Column("MESHENABLED", r -> dash(((BGPConfiguration) r).spec().nodeToNodeMeshEnabled())),
          new Column("ASNUMBER", r -> dash(((BGPConfiguration) r).spec().asNumber())));
      case FELIX_CONFIGURATION -> List.of(name);
      case WORKLOAD_ENDPOINT -> {
        List<Column> c = new ArrayList<>();
        if (wide) {
          c.add(name);
        }
        c.add(new Column("WORKLOAD", r -> wep(r).workload() != null ? wep(r).workload() : wep(r).pod()));
        c.add(new Column("NODE", r -> wep(r).node()));
        c.add(new Column("NETWORKS", r -> join(wep(r).ipNetworks())));
        c.add(new Column("INTERFACE", r -> wep(r).interfaceName()));
        if (wide) {
          c.add(new Column("PROFILES", r -> join(wep(r).profiles())));
          c.add(new Column("NATS", r -> wep(r).ipNATs() == null ? "" : wep(r).ipNATs().stream()
              .map(n -> n.internalIP() + "->" + n.externalIP()).collect(Collectors.joining(","))));
        }
        yield c;
      }
      case HOST_ENDPOINT -> wide
          ? List.of(name, new Column("NODE", r -> ((HostEndpoint) r).spec().node()),
              new Column("INTERFACE", r -> ((HostEndpoint) r).spec().interfaceName()),
              new Column("IPS", r -> join(((HostEndpoint) r).spec().expectedIPs())),
              new Column("PROFILES", r -> join(((HostEndpoint) r).spec().profiles())))
          : List.of(name, new Column("NODE", r -> ((HostEndpoint) r).spec().node()));
      case PROFILE -> wide
          ? List.of(name, new Column("LABELS", r -> labels(((Profile) r).spec().labelsToApply())))
          : List.of(name);
      case CLUSTER_INFORMATION -> List.of(name,
          new Column("CLUSTERGUID", r -> ((ClusterInformation) r).spec().clusterGUID()),
          new Column("CLUSTERTYPE", r -> ((ClusterInformation) r).spec().clusterType()),
          new Column("CALICOVERSION", r -> ((ClusterInformation) r).spec().calicoVersion()),
          new Column("DATASTOREREADY", r -> dash(((ClusterInformation) r).spec().datastoreReady())));
      case GLOBAL_NETWORK_POLICY -> wide
          ? List.of(name, new Column("ORDER", r -> PolicyOrder.format(((GlobalNetworkPolicy) r).spec().order())),
              new Column("SELECTOR", r -> ((GlobalNetworkPolicy) r).spec().selector()))
          : List.of(name);
      case NETWORK_POLICY -> wide
          ? List.of(name, new Column("ORDER", r -> PolicyOrder.format(((NetworkPolicy) r).spec().order())),
              new Column("SELECTOR", r -> ((NetworkPolicy) r).spec().selector()))
          : List.of(name);
      case GLOBAL_NETWORK_SET -> wide
          ? List.of(name, new Column("NETS", r -> join(((GlobalNetworkSet) r).spec().nets())))
          : List.of(name);
      case NETWORK_SET -> wide
          ? List.of(name, new Column("NETS", r -> join(((NetworkSet) r).spec().nets())))
          : List.of(name);
      case HOOK -> HookColumns.columns(name, wide);
    };
  }

  private static Column pool(Function<IPPool.Spec, String> f) {
    return new Column("CIDR", r -> f.apply(((IPPool) r).spec()));
  }

  private static WorkloadEndpoint.Spec wep(Resource r) {
    return ((WorkloadEndpoint) r).spec();
  }

  private static String asn(Node n, String globalAs) {
    if (n.spec().bgp() == null) {
      return "";
    }
    return n.spec().bgp().asNumber() != null ? n.spec().bgp().asNumber().toString() : "(" + globalAs + ")";
  }

  private static String bgp(Node n, Function<Node.BGP, String> f) {
    return n.spec().bgp() == null ? "" : f.apply(n.spec().bgp());
  }

  private static String peerNode(BGPPeer.Spec s) {
    if (s.node() != null && !s.node().isEmpty()) {
      return s.node();
    }
    if (s.nodeSelector() != null && !s.nodeSelector().isEmpty()) {
      return s.nodeSelector();
    }
    return "(global)";
  }

  private static String dash(Object v) {
    return v == null ? "-" : v.toString();
  }

  private static String join(List<String> l) {
    return l == null ? "" : String.join(",", l);
  }

  private static String labels(Map<String, String> m) {
    return m == null ? "" : new java.util.TreeMap<>(m).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
