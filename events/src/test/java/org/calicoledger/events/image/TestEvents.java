package org.calicoledger.events.image;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.store.Keys;

/** Builds ChangeEvents as the journal does (kind/namespace/name from the key), for tests. */
public final class TestEvents {
  public static final String POOLS = Keys.RESOURCES + "ippools/";

  private TestEvents() {}

  /** One change of a revision, before positions are assigned. */
  public record Op(String key, String value, String prev) {
    public static Op put(String key, String value) {
      return new Op(key, value, null);
    }

    public static Op delete(String key) {
      return new Op(key, null, null);
    }

    public Op withPrev(String p) {
      return new Op(key, value, p);
    }
  }

  /** The events of one revision, positions 0..n-1, all observed at {@code timeMs}. */
  public static List<ChangeEvent> revision(long revision, long timeMs, String actor, String reason, Op... ops) {
    List<ChangeEvent> out = new ArrayList<>();
    for (int i = 0; i < ops.length; i++) {
      out.add(event(revision, i, ops.length, ops[i], timeMs, actor, reason, false));
    }
    return out;
  }

  public static List<ChangeEvent> revision(long revision, Op... ops) {
    return revision(revision, 1_000L * revision, "tester", "", ops);
  }

  public static ChangeEvent event(long revision, int position, int count, Op op, long timeMs, String actor,
      String reason, boolean resync) {
    ChangeEvent.Builder b = ChangeEvent.newBuilder().setRevision(revision).setPosition(position).setCount(count)
        .setKey(op.key()).setOperation(op.value() == null ? Operation.DELETE : Operation.PUT)
        .setObservedTimeMs(timeMs).setActor(actor).setReason(reason).setResync(resync);
    if (op.value() != null) {
      b.setValue(ByteString.copyFromUtf8(op.value()));
    }
    if (op.prev() != null) {
      b.setPrevValue(ByteString.copyFromUtf8(op.prev()));
    }
    Keys.parse(op.key()).ifPresent(k -> {
      b.setKind(k.kind().kindName()).setName(k.name());
      if (k.namespace() != null) {
        b.setNamespace(k.namespace());
      }
    });
    return b.build();
  }

  public static String pool(String name, String cidr, boolean nat) {
    return "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name
        + "\",\"uid\":\"u-" + name + "\"},\"spec\":{\"cidr\":\"" + cidr + "\",\"ipipMode\":\"Always\",\"natOutgoing\":"
        + nat + ",\"blockSize\":26,\"nodeSelector\":\"all()\"}}";
  }

  public static String node(String name, String address) {
    return "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name
        + "\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"" + address + "\"}}}";
  }

  public static String wep(String ns, String name, String ip) {
    return "{\"kind\":\"WorkloadEndpoint\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"" + ns + "\"},\"spec\":{\"node\":\"n1\",\"orchestrator\":\"k8s\",\"endpoint\":\"eth0\","
        + "\"interfaceName\":\"cali0123456789a\",\"ipNetworks\":[\"" + ip + "/32\"]}}";
  }

  public static String poolKey(String name) {
    return POOLS + name;
  }

  public static String nodeKey(String name) {
    return Keys.RESOURCES + "nodes/" + name;
  }

  public static String wepKey(String ns, String name) {
    return Keys.RESOURCES + "workloadendpoints/" + ns + "/" + name;
  }

  public static String blockKey(String cidr) {
    return "/calico/ipam/v2/assignment/ipv4/block/" + cidr.replace('/', '-');
  }

  public static String affinityKey(String host, String cidr) {
    return "/calico/ipam/v2/host/" + host + "/ipv4/block/" + cidr.replace('/', '-');
  }

  public static String block(String cidr, String host, int used) {
    StringBuilder alloc = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      alloc.append(i > 0 ? "," : "").append(i < used ? "0" : "null");
    }
    return "{\"cidr\":\"" + cidr + "\",\"affinity\":" + (host == null ? "null" : "\"host:" + host + "\"")
        + ",\"allocations\":[" + alloc + "],\"unallocated\":[],\"attributes\":[{\"handle_id\":\"h1\",\"secondary\":null}]"
        + ",\"sequenceNumber\":" + used + ",\"deleted\":false}";
  }
}
