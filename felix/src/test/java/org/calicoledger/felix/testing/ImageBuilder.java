package org.calicoledger.felix.testing;

import com.google.protobuf.ByteString;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.store.Keys;

/** Builds ClusterImages from resource JSON, one revision per change, as the change log would deliver them. */
public final class ImageBuilder {
  private ClusterImage image = ClusterImage.EMPTY;
  private long revision = 1;

  /** Everything under {@code /calico/} in {@code store} as one image, as a journal snapshot would deliver it. */
  public static ClusterImage snapshot(org.calicoledger.store.Store store) {
    org.calicoledger.store.Store.Range r = store.range(Keys.ROOT);
    ClusterDelta d = ClusterDelta.snapshot(ClusterImage.EMPTY, r.revision());
    int i = 0;
    for (org.calicoledger.store.KeyValue kv : r.kvs()) {
      d.replay(r.revision(), i++, r.kvs().size(), kv.key(), Operation.PUT, ByteString.copyFrom(kv.value()));
    }
    return d.apply();
  }

  public ClusterImage image() {
    return image;
  }

  public ClusterImage put(String key, String json) {
    ClusterDelta d = new ClusterDelta(image);
    d.replay(++revision, 0, 1, key, Operation.PUT, ByteString.copyFromUtf8(json));
    image = d.apply();
    return image;
  }

  public ClusterImage delete(String key) {
    ClusterDelta d = new ClusterDelta(image);
    d.replay(++revision, 0, 1, key, Operation.DELETE, null);
    image = d.apply();
    return image;
  }

  public ClusterImage pool(String name, String cidr, boolean nat, String ipipMode, String vxlanMode) {
    return put(Keys.RESOURCES + "ippools/" + name, "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\","
        + "\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"cidr\":\"" + cidr + "\",\"ipipMode\":\"" + ipipMode
        + "\",\"vxlanMode\":\"" + vxlanMode + "\",\"natOutgoing\":" + nat + ",\"blockSize\":26,"
        + "\"nodeSelector\":\"all()\"}}");
  }

  /** {@code FelixConfiguration <name>} with {@code specJson} (an object's fields, without braces). */
  public ClusterImage felixConfig(String name, String specFields) {
    return put(Keys.RESOURCES + "felixconfigurations/" + name, "{\"kind\":\"FelixConfiguration\","
        + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + specFields
        + "}}");
  }

  public ClusterImage endpoint(String ns, String name, String node, String iface, String ip) {
    return put(Keys.RESOURCES + "workloadendpoints/" + ns + "/" + name, "{\"kind\":\"WorkloadEndpoint\","
        + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns
        + "\"},\"spec\":{\"node\":\"" + node + "\",\"orchestrator\":\"k8s\",\"endpoint\":\"eth0\","
        + "\"interfaceName\":\"" + iface + "\",\"ipNetworks\":[\"" + ip + "/32\"]}}");
  }

  /** An endpoint with labels (a JSON object's fields, without braces) and profiles. */
  public ClusterImage endpoint(String ns, String name, String node, String iface, String ip, String labelFields,
      String... profiles) {
    StringBuilder p = new StringBuilder();
    for (String s : profiles) {
      p.append(p.length() == 0 ? "" : ",").append('"').append(s).append('"');
    }
    return put(Keys.RESOURCES + "workloadendpoints/" + ns + "/" + name, "{\"kind\":\"WorkloadEndpoint\","
        + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns
        + "\",\"labels\":{" + labelFields + "}},\"spec\":{\"node\":\"" + node + "\",\"orchestrator\":\"k8s\","
        + "\"endpoint\":\"eth0\",\"interfaceName\":\"" + iface + "\",\"ipNetworks\":[\"" + ip + "/32\"],"
        + "\"profiles\":[" + p + "]}}");
  }

  /** A resource of a non-namespaced {@code kind} ({@code plural} in its key) with labels and a spec (fields only). */
  public ClusterImage global(String kind, String plural, String name, String labelFields, String specFields) {
    return put(Keys.RESOURCES + plural + "/" + name, "{\"kind\":\"" + kind + "\",\"apiVersion\":"
        + "\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{" + labelFields
        + "}},\"spec\":{" + specFields + "}}");
  }

  /** A resource of a namespaced {@code kind} with labels and a spec (fields only). */
  public ClusterImage namespaced(String kind, String plural, String ns, String name, String labelFields,
      String specFields) {
    return put(Keys.RESOURCES + plural + "/" + ns + "/" + name, "{\"kind\":\"" + kind + "\",\"apiVersion\":"
        + "\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns
        + "\",\"labels\":{" + labelFields + "}},\"spec\":{" + specFields + "}}");
  }

  /** A Node with its BGP address and, when non-null, its published WireGuard key. */
  public ClusterImage node(String name, String ipv4Cidr, String wgKey) {
    return put(Keys.RESOURCES + "nodes/" + name, "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\","
        + "\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"" + ipv4Cidr + "\"}},"
        + "\"status\":{" + (wgKey == null ? "" : "\"wireguardPublicKey\":\"" + wgKey + "\"") + "}}");
  }

  /** An IPAM block affine to {@code host} (all addresses free). */
  public ClusterImage block(String cidr, String host) {
    return put("/calico/ipam/v2/assignment/ipv4/block/" + cidr.replace('/', '-'), "{\"cidr\":\"" + cidr
        + "\",\"affinity\":\"host:" + host + "\",\"allocations\":[],\"unallocated\":[],\"attributes\":[],"
        + "\"deleted\":false}");
  }
}
