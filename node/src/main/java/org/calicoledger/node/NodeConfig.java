package org.calicoledger.node;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.model.AsNumber;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.StoreConfig;

/**
 * calico-node's settings, read from the environment as Calico's node reads them. Every value is checked here, at
 * start, and a bad one stops the node with a message naming the variable, the value and what is allowed.
 *
 * @param ip {@code IP}: {@code autodetect} (also when empty and the Node has no address yet), {@code none}, or an
 *     address with or without {@code /PREFIX}
 * @param autodetectionMethod {@code IP_AUTODETECTION_METHOD} (see {@link org.calicoledger.node.startup.IpDetection})
 * @param asNumber {@code AS}, or null to use the cluster's (BGPConfiguration's) number
 * @param backend {@code CALICO_NETWORKING_BACKEND}
 * @param pool the default IPv4 pool, created when no IPv4 pool exists; null with {@code NO_DEFAULT_POOLS=true} or
 *     {@code CALICO_IPV4POOL_CIDR=none}
 * @param runDir {@code CALICO_RUN_DIR}: the CNI agent's socket ({@code cni.sock}) lives here
 * @param healthHost {@code FELIX_HEALTHHOST} (default 127.0.0.1); {@code healthPort} {@code FELIX_HEALTHPORT}
 *     (default 9099, 0 for any free port): {@code /liveness}, {@code /readiness}, {@code /metrics}
 * @param felixOverrides every {@code FELIX_<PARAM>} variable, by lower-cased parameter name, for Felix (a later issue)
 * @param kafka the change-log feed's Kafka client settings (felix, confd, the BGP speaker): {@code KAFKA_BOOTSTRAP_SERVERS}
 *     with the {@code KAFKA_CLIENT_*} pass-through (TLS, SASL) as every other client of the log reads them; null when
 *     {@code KAFKA_BOOTSTRAP_SERVERS} is unset: none of them runs
 * @param kafkaTimeout {@code CALICO_KAFKA_TIMEOUT} / {@code KAFKA_TIMEOUT} (default 30 s): how long the feed waits for
 *     Kafka at start before calico-node reports it unreachable
 */
public record NodeConfig(String nodename, String ip, String autodetectionMethod, AsNumber asNumber, Backend backend,
    PoolSettings pool, Path runDir, String healthHost, int healthPort, Map<String, String> felixOverrides,
    KafkaSettings kafka, Duration kafkaTimeout, String clusterType, StoreConfig store) {

  public static final Duration DEFAULT_KAFKA_TIMEOUT = Duration.ofSeconds(30);

  public static final Path DEFAULT_RUN_DIR = Path.of("/var/run/calico");
  public static final int DEFAULT_HEALTH_PORT = 9099;

  /** {@code CALICO_NETWORKING_BACKEND}: who routes pod traffic between nodes. */
  public enum Backend {
    /** This project's BGP speaker (issue: bird module); the default. */
    BUILTIN,
    /** Real BIRD configured by confd. */
    BIRD,
    /** VXLAN only, no BGP. */
    VXLAN,
    /** No networking from Calico: no node address or AS is configured. */
    NONE;

    static Backend parse(String v) {
      if (v == null || v.isBlank()) {
        return BUILTIN;
      }
      try {
        return valueOf(v.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("CALICO_NETWORKING_BACKEND='" + v + "' is not one of builtin, bird, vxlan,"
            + " none");
      }
    }
  }

  /** The default pool's settings ({@code CALICO_IPV4POOL_*}). */
  public record PoolSettings(Cidr cidr, String ipipMode, String vxlanMode, boolean natOutgoing, int blockSize,
      String nodeSelector) {
    public static final String DEFAULT_NAME = "default-ipv4-ippool";
  }

  public NodeConfig {
    felixOverrides = Map.copyOf(felixOverrides);
  }

  public static NodeConfig fromEnvironment(Map<String, String> env) {
    String node = first(env, "NODENAME", "HOSTNAME");
    if (node == null) {
      try {
        node = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("cannot tell this node's name: set NODENAME");
      }
    }
    node = node.trim().toLowerCase(Locale.ROOT);
    Backend backend = Backend.parse(env.get("CALICO_NETWORKING_BACKEND"));
    String as = blank(env.get("AS"));
    AsNumber asNumber = null;
    if (as != null) {
      try {
        asNumber = AsNumber.parse(as);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("AS='" + as + "': " + e.getMessage());
      }
    }
    String ip = blank(env.get("IP"));
    if (ip != null && !ip.equals("autodetect") && !ip.equals("none")) {
      try {
        if (ip.contains("/")) {
          Cidr.parse(ip);
        } else {
          Cidr.parseAddress(ip);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("IP='" + ip + "' must be autodetect, none, or an IPv4 address (optionally"
            + " with /PREFIX): " + e.getMessage());
      }
    }
    Map<String, String> felix = new TreeMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith("FELIX_") && k.length() > 6) {
        felix.put(k.substring(6).toLowerCase(Locale.ROOT), v);
      }
    });
    return new NodeConfig(node, ip == null ? "" : ip,
        env.getOrDefault("IP_AUTODETECTION_METHOD", "first-found").trim(), asNumber, backend, pool(env),
        Path.of(env.getOrDefault("CALICO_RUN_DIR", DEFAULT_RUN_DIR.toString())),
        env.getOrDefault("FELIX_HEALTHHOST", "127.0.0.1"), port(env.get("FELIX_HEALTHPORT")), felix,
        blank(env.get("KAFKA_BOOTSTRAP_SERVERS")) == null ? null : KafkaSettings.fromEnvironment(env),
        KafkaSettings.timeout(env, DEFAULT_KAFKA_TIMEOUT), blank(env.get("CLUSTER_TYPE")),
        StoreConfig.fromEnvironment(env));
  }

  private static PoolSettings pool(Map<String, String> env) {
    String cidrText = blank(env.get("CALICO_IPV4POOL_CIDR"));
    if ("true".equalsIgnoreCase(env.get("NO_DEFAULT_POOLS"))) {
      if (cidrText != null) {
        throw new IllegalArgumentException("NO_DEFAULT_POOLS=true and CALICO_IPV4POOL_CIDR='" + cidrText
            + "' contradict each other: unset one");
      }
      return null;
    }
    if ("none".equals(cidrText)) {
      return null;
    }
    Cidr cidr;
    try {
      cidr = Cidr.parse(cidrText == null ? "192.168.0.0/16" : cidrText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("CALICO_IPV4POOL_CIDR='" + cidrText + "': " + e.getMessage());
    }
    if (!cidr.isIpv4()) {
      throw new IllegalArgumentException("CALICO_IPV4POOL_CIDR='" + cidrText + "' is not an IPv4 CIDR");
    }
    int block = 26;
    String bs = blank(env.get("CALICO_IPV4POOL_BLOCK_SIZE"));
    if (bs != null) {
      try {
        block = Integer.parseInt(bs);
      } catch (NumberFormatException e) {
        block = -1;
      }
      if (block < 20 || block > 32) {
        throw new IllegalArgumentException("CALICO_IPV4POOL_BLOCK_SIZE='" + bs + "' must be a number from 20 to 32");
      }
    }
    String ipip = mode("CALICO_IPV4POOL_IPIP", env.get("CALICO_IPV4POOL_IPIP"), "Always");
    String vxlan = mode("CALICO_IPV4POOL_VXLAN", env.get("CALICO_IPV4POOL_VXLAN"), "Never");
    if (!ipip.equals("Never") && !vxlan.equals("Never")) {
      if (blank(env.get("CALICO_IPV4POOL_IPIP")) == null) {
        ipip = "Never"; // VXLAN asked for: the IPIP default gives way, as one pool cannot have both
      } else {
        throw new IllegalArgumentException("CALICO_IPV4POOL_IPIP=" + ipip + " and CALICO_IPV4POOL_VXLAN=" + vxlan
            + ": a pool uses IPIP or VXLAN, not both; set one of them to Never");
      }
    }
    String nat = blank(env.get("CALICO_IPV4POOL_NAT_OUTGOING"));
    if (nat != null && !nat.equalsIgnoreCase("true") && !nat.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("CALICO_IPV4POOL_NAT_OUTGOING='" + nat + "' must be true or false");
    }
    return new PoolSettings(cidr, ipip, vxlan, nat == null || nat.equalsIgnoreCase("true"), block,
        blank(env.get("CALICO_IPV4POOL_NODE_SELECTOR")));
  }

  /** Calico's spellings of an encapsulation mode: Always, CrossSubnet (or cross-subnet), Never (or off). */
  private static String mode(String var, String v, String dflt) {
    String m = blank(v);
    if (m == null) {
      return dflt;
    }
    return switch (m.toLowerCase(Locale.ROOT)) {
      case "always" -> "Always";
      case "crosssubnet", "cross-subnet" -> "CrossSubnet";
      case "never", "off" -> "Never";
      default -> throw new IllegalArgumentException(var + "='" + v + "' must be Always, CrossSubnet or Never");
    };
  }

  private static int port(String v) {
    if (blank(v) == null) {
      return DEFAULT_HEALTH_PORT;
    }
    try {
      int p = Integer.parseInt(v.trim());
      if (p >= 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException bad) {
      // reported below
    }
    throw new IllegalArgumentException("FELIX_HEALTHPORT='" + v + "' must be a port number 0-65535 (0: any free port)");
  }

  private static String first(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = blank(env.get(n));
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static String blank(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** The CNI agent's socket: {@code <runDir>/cni.sock}. */
  public Path cniSocket() {
    return runDir.resolve(org.calicoledger.cni.AgentClient.SOCKET_NAME);
  }

  /** Who this node's writes are recorded as. */
  public String actor() {
    return "calico-node@" + nodename;
  }
}
