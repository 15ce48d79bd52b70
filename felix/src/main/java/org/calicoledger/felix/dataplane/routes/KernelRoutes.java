package org.calicoledger.felix.dataplane.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.calicoledger.felix.calc.Route;

/**
 * Reads iproute2's JSON ({@code ip -json route|neigh show}, {@code bridge -json fdb show}) into the shapes
 * {@link RouteTable} compares with. Routes of a type Felix never programs (unreachable, prohibit, ...) are left out.
 */
final class KernelRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KernelRoutes() {}

  static Map<String, Route> parseRoutes(String json) {
    Map<String, Route> out = new HashMap<>();
    for (JsonNode r : tree(json)) {
      String type = r.path("type").asText("unicast");
      String dst = r.path("dst").asText("");
      if (dst.isEmpty() || dst.equals("default")) {
        continue;
      }
      if (!dst.contains("/")) {
        dst = dst + "/32";
      }
      boolean onlink = false;
      for (JsonNode f : r.path("flags")) {
        onlink |= "onlink".equals(f.asText());
      }
      String gw = r.hasNonNull("gateway") ? r.get("gateway").asText() : null;
      String dev = r.hasNonNull("dev") ? r.get("dev").asText() : null;
      if (type.equals("blackhole")) {
        out.put(dst, Route.blackhole(dst));
      } else if (type.equals("unicast")) {
        out.put(dst, gw != null ? new Route(dst, Route.Type.VIA, gw, dev, onlink) : Route.local(dst, dev));
      }
    }
    return out;
  }

  static Map<String, String> parseNeighbours(String json) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode n : tree(json)) {
      if (n.hasNonNull("dst") && n.hasNonNull("lladdr")) {
        out.put(n.get("dst").asText(), n.get("lladdr").asText().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  static Map<String, String> parseFdb(String json) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode n : tree(json)) {
      String mac = n.path("mac").asText("");
      if (n.hasNonNull("dst") && !mac.isEmpty() && !mac.equals("00:00:00:00:00:00")) {
        out.put(mac.toLowerCase(java.util.Locale.ROOT), n.get("dst").asText());
      }
    }
    return out;
  }

  private static JsonNode tree(String json) {
    if (json == null || json.isBlank()) {
      return JSON.createArrayNode();
    }
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("iproute2 printed JSON that does not parse: " + e.getMessage());
    }
  }
}
