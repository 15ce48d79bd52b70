package org.calicoledger.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.calicoledger.model.net.Cidr;

/**
 * A host's claim on a block, Calico's {@code BlockAffinity} at {@code /calico/ipam/v2/host/<host>/ipv4/block/<cidr>},
 * JSON {@code {"state":"pending|confirmed|pendingDeletion","deleted":false}}. The claim protocol moves it from
 * {@code pending} (written before the block) to {@code confirmed} (after the block exists with {@code affinity:
 * host:<host>}); {@code pendingDeletion} marks a release in progress. An empty or unknown state counts as pending, as
 * libcalico-go treats it.
 */
public record Affinity(String host, Cidr cidr, State state, boolean deleted, ObjectNode source) {
  public enum State {
    PENDING("pending"), CONFIRMED("confirmed"), PENDING_DELETION("pendingDeletion");

    private final String wire;

    State(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    static State of(String wire) {
      for (State s : values()) {
        if (s.wire.equals(wire)) {
          return s;
        }
      }
      return PENDING;
    }
  }

  public static Affinity of(String host, Cidr cidr, State state) {
    return new Affinity(host, cidr, state, false, null);
  }

  public String key() {
    return IpamKeys.affinity(host, cidr);
  }

  public static Affinity parse(String key, byte[] json) {
    IpamKeys.AffinityKey k = IpamKeys.parseAffinity(key)
        .orElseThrow(() -> new IllegalArgumentException(key + " is not a block affinity key"));
    ObjectNode o = json.length == 0 ? IpamJson.NODES.objectNode() : IpamJson.parseObject(json, key);
    JsonNode s = o.get("state");
    JsonNode d = o.get("deleted");
    return new Affinity(k.host(), k.cidr(), State.of(s == null ? "" : s.asText()), d != null && d.asBoolean(false), o);
  }

  public Affinity withState(State s) {
    return new Affinity(host, cidr, s, deleted, source);
  }

  public byte[] toJson() {
    ObjectNode out = IpamJson.NODES.objectNode();
    if (source != null) {
      source.fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
    }
    out.put("state", state.wire());
    out.put("deleted", deleted);
    return IpamJson.write(out);
  }
}
