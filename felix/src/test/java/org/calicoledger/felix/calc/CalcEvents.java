package org.calicoledger.felix.calc;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Map;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.felix.FelixContext;

/** Etcd keys and values for calc tests, and images built from them in batches, as the change log delivers them. */
public final class CalcEvents {
  public static final String RES = "/calico/resources/v3/projectcalico.org/";

  /** One change: {@code json} null deletes the key. */
  public record Event(String key, String json) {}

  private CalcEvents() {}

  public static FelixContext ctx(String node, String backend, LearnedRoutes learned) {
    return new FelixContext(node, Map.of(), null, null, "test", backend, learned);
  }

  public static Event pool(String name, String cidr, String ipip, String vxlan) {
    return new Event(RES + "ippools/" + name, "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\","
        + "\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"cidr\":\"" + cidr + "\",\"ipipMode\":\"" + ipip
        + "\",\"vxlanMode\":\"" + vxlan + "\",\"blockSize\":26,\"nodeSelector\":\"all()\"}}");
  }

  /** A Node with address {@code cidr}, and VXLAN/IPIP tunnel addresses and VTEP MAC when non-null. */
  public static Event node(String name, String cidr, String vxlanAddr, String mac, String ipipAddr) {
    StringBuilder spec = new StringBuilder("{\"bgp\":{\"ipv4Address\":\"" + cidr + "\"");
    if (ipipAddr != null) {
      spec.append(",\"ipv4IPIPTunnelAddr\":\"").append(ipipAddr).append('"');
    }
    spec.append('}');
    if (vxlanAddr != null) {
      spec.append(",\"ipv4VXLANTunnelAddr\":\"").append(vxlanAddr).append('"');
    }
    if (mac != null) {
      spec.append(",\"vxlanTunnelMACAddr\":\"").append(mac).append('"');
    }
    spec.append('}');
    return new Event(RES + "nodes/" + name, "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\","
        + "\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + spec + ",\"status\":{}}");
  }

  public static Event block(String cidr, String host) {
    return new Event("/calico/ipam/v2/assignment/ipv4/block/" + cidr.replace('/', '-'), "{\"cidr\":\"" + cidr
        + "\",\"affinity\":" + (host == null ? "null" : "\"host:" + host + "\"")
        + ",\"allocations\":[],\"unallocated\":[],\"attributes\":[],\"deleted\":false}");
  }

  public static Event endpoint(String name, String node, String iface, String ip) {
    return new Event(RES + "workloadendpoints/default/" + name, "{\"kind\":\"WorkloadEndpoint\","
        + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"},"
        + "\"spec\":{\"node\":\"" + node + "\",\"orchestrator\":\"k8s\",\"endpoint\":\"eth0\",\"interfaceName\":\""
        + iface + "\",\"ipNetworks\":[\"" + ip + "/32\"]}}");
  }

  public static Event delete(String key) {
    return new Event(key, null);
  }

  /** Applies {@code batch} to {@code base}, one revision per event starting after {@code base}'s. */
  public static ClusterImage apply(ClusterImage base, List<Event> batch) {
    ClusterDelta d = new ClusterDelta(base);
    long rev = base.revision();
    for (Event e : batch) {
      rev++;
      d.replay(rev, 0, 1, e.key(), e.json() == null ? Operation.DELETE : Operation.PUT,
          e.json() == null ? null : ByteString.copyFromUtf8(e.json()));
    }
    return d.apply();
  }

  public static ClusterImage image(List<Event> events) {
    return apply(ClusterImage.EMPTY, events);
  }
}
