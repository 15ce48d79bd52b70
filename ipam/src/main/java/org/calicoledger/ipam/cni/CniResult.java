package org.calicoledger.ipam.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import org.calicoledger.cni.CniException;
import org.calicoledger.cni.CniVersion;
import org.calicoledger.model.net.Cidr;

/**
 * Result and error JSON for the CNI spec versions this plugin speaks. An IPAM plugin returns only {@code ips} (and an
 * empty {@code dns}); Calico's returns each address as a host route, {@code /32} or {@code /128}. Versions 0.3.x and
 * 0.4.0 tag each address with {@code "version": "4"|"6"}; 1.0.0 dropped that field.
 */
public final class CniResult {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CniResult() {}

  static void checkVersion(String v) {
    CniVersion.check(v, "calico-ipam");
  }

  static String version(String cniVersion) {
    return CniVersion.versionJson();
  }

  static String ips(String cniVersion, List<Cidr> addresses) {
    return write(ipsTree(cniVersion, addresses));
  }

  /** The IPAM result as a tree, for a main plugin to add its {@code interfaces} to. */
  public static ObjectNode ipsTree(String cniVersion, List<Cidr> addresses) {
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
    return o;
  }

  static String error(String cniVersion, CniException e) {
    return e.toJson(cniVersion);
  }

  /** {@code o} as the plugins print results: indented, with a final newline. */
  public static String write(ObjectNode o) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
