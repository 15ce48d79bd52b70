package org.calicoledger.node.cni;

import com.fasterxml.jackson.databind.JsonNode;
import org.calicoledger.cni.CniException;
import org.calicoledger.cni.CniVersion;
import org.calicoledger.ipam.cni.NetConf;

/**
 * The {@code calico} plugin's network configuration: the fields calico-ipam reads ({@link NetConf}: name, nodename,
 * etcd settings, the {@code ipam} section, {@code prevResult}) plus {@code type} (must be {@code calico}),
 * {@code ipam.type} (required: {@code calico-ipam} is served in the agent, any other type is run from
 * {@code CNI_PATH} by the CNI delegation rules), {@code mtu} (0: the kernel's default, 1500) and
 * {@code container_settings.allow_ip_forwarding}. {@code node_agent_socket} is the front end's and is ignored here.
 */
public record PluginConf(NetConf net, JsonNode json, String ipamType, int mtu, boolean allowIpForwarding) {
  public static final String CALICO_IPAM = "calico-ipam";

  public static PluginConf parse(String stdin) {
    JsonNode n = NetConf.parseJson(stdin);
    String type = n.path("type").asText("");
    if (!type.equals("calico")) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "type is \"" + type + "\"",
          "this plugin is \"calico\"; the runtime chose it by that name");
    }
    JsonNode ipam = n.path("ipam");
    String ipamType = ipam.path("type").asText("");
    if (!ipam.isObject() || ipamType.isEmpty()) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "ipam.type is missing",
          "set \"ipam\": {\"type\": \"calico-ipam\"}, or the type of another IPAM plugin on CNI_PATH"
              + " (e.g. host-local)");
    }
    if (!ipamType.matches("[A-Za-z0-9_.\\-]+")) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "ipam.type \"" + ipamType + "\" is not a plugin name",
          "a plugin name has no '/': it is looked up in the CNI_PATH directories");
    }
    NetConf net = NetConf.parse(n, ipamType.equals(CALICO_IPAM));
    CniVersion.check(net.cniVersion(), "calico");
    JsonNode m = n.path("mtu");
    int mtu = 0;
    if (!m.isMissingNode() && !m.isNull()) {
      if (!m.canConvertToInt() || !m.isIntegralNumber() || (m.asInt() != 0 && (m.asInt() < 68 || m.asInt() > 65535))) {
        throw new CniException(CniException.INVALID_NETWORK_CONFIG, "mtu " + m + " is not an MTU",
            "give a whole number from 68 to 65535, or 0 for the default (1500)");
      }
      mtu = m.asInt();
    }
    JsonNode fwd = n.path("container_settings").path("allow_ip_forwarding");
    if (!fwd.isMissingNode() && !fwd.isNull() && !fwd.isBoolean()) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "container_settings.allow_ip_forwarding " + fwd
          + " is not a boolean", "use true or false");
    }
    return new PluginConf(net, n, ipamType, mtu, fwd.asBoolean(false));
  }

  public String cniVersion() {
    return net.cniVersion();
  }

  public boolean calicoIpam() {
    return ipamType.equals(CALICO_IPAM);
  }
}
