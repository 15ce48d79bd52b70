package org.calicoledger.ipam.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import org.calicoledger.model.net.Cidr;

/**
 * Result and error JSON for the CNI spec versions this plugin speaks. An IPAM plugin returns only {@code ips} (and an
 * empty {@code dns}); Calico's returns each address as a host route, {@code /32} or {@code /128}. Versions 0.3.x and
 * 0.4.0 tag each address with {@code "version": "4"|"6"}; 1.0.0 dropped that field.
 */
final class CniResult {
  static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0");
  static final String CURRENT = "1.0.0";
  private static final ObjectMapper JSON = new ObjectMapper();

  private CniResult() {}

  static void checkVersion(String v) {
    if (!SUPPORTED.contains(v)) {
      throw new CniException(CniException.INCOMPATIBLE_VERSION, "incompatible CNI version " + v,
          "calico-ipam supports " + String.join(", ", SUPPORTED));
    }
  }

  static String version(String cniVersion) {
    ObjectNode o = JSON.createObjectNode();
    o.put("cniVersion", CURRENT);
    ArrayNode a = o.putArray("supportedVersions");
    SUPPORTED.forEach(a::add);
    return write(o);
  }

  static String ips(String cniVersion, List<Cidr> addresses) {
    ObjectNode o = JSON.createObjectNode();
    o.put("cniVersion", cniVersion);
    ArrayNode ips = o.putArray("ips");
    boolean tagged = !cniVersion.startsWith("1.");
    for (Cidr a : addresses) {
      ObjectNode ip = ips.addObject();
      if (tagged) {
        ip.put("version", Integer.toString(a.version()));
      }
      ip.put("address", a.toString());
    }
    o.putObject("dns");
    return write(o);
  }

  static String error(String cniVersion, CniException e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("cniVersion", cniVersion == null || !SUPPORTED.contains(cniVersion) ? CURRENT : cniVersion);
    o.put("code", e.code());
    o.put("msg", e.getMessage());
    o.put("details", e.details());
    return write(o);
  }

  private static String write(ObjectNode o) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
