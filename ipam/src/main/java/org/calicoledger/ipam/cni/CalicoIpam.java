package org.calicoledger.ipam.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import org.calicoledger.cni.AgentClient;
import org.calicoledger.cni.AgentProtocol;
import org.calicoledger.cni.CniArgs;
import org.calicoledger.cni.CniException;
import org.calicoledger.cni.JsonText;
import org.calicoledger.ipam.AssignRequest;
import org.calicoledger.ipam.Assignment;
import org.calicoledger.ipam.Allocation;
import org.calicoledger.ipam.Ipam;
import org.calicoledger.ipam.IpamException;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.Logging;
import org.calicoledger.store.StoreConfig;
import org.calicoledger.store.StoreException;

/**
 * {@code calico-ipam}, the CNI IPAM plugin: {@code CNI_COMMAND} ADD, DEL, CHECK or VERSION, the network configuration
 * on stdin, the result (or a CNI error) as JSON on stdout. The handle of a container's addresses is
 * {@code <network name>.<CNI_CONTAINERID>}, as Calico's. A thin front end: every decision is {@link Ipam}'s.
 *
 * <ul>
 *   <li>ADD assigns one IPv4 address (and one IPv6 with {@code assign_ipv6}) on the node, or the addresses asked for
 *       with {@code IP=} in {@code CNI_ARGS} or {@code args.cni.ips}; an ADD repeated for a container that already
 *       has addresses returns them.</li>
 *   <li>DEL releases the handle; it succeeds when there is nothing to release (DEL is idempotent), and frees an
 *       address whose handle was never written (a crashed ADD) by searching the node's blocks.</li>
 *   <li>CHECK (spec 0.4.0 and later) verifies that the addresses of {@code prevResult} are the container's.</li>
 * </ul>
 * ADD and DEL on one node take the lock file {@code CALICO_IPAM_LOCK_FILE} (default {@code /var/run/calico/ipam.lock},
 * as Calico's plugin), so concurrent invocations on a node do not race for the same block.
 *
 * <p>When the node agent ({@code calico-node}) is up, the process forwards the request to it and prints its answer
 * (the agent runs the same code, {@link #run(Map, String, PrintStream, Shared)}, with its long-lived {@link Ipam});
 * when the agent cannot be reached the process does the work itself, as above.
 */
public final class CalicoIpam {
  static final String DEFAULT_LOCK_FILE = "/var/run/calico/ipam.lock";
  private static final DateTimeFormatter GO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private CalicoIpam() {}

  /**
   * The node agent's IPAM, for requests it serves: one {@link Ipam} for its node, used under {@code lock} (instead of
   * the lock file, which serializes processes, not threads).
   */
  public record Shared(Ipam ipam, String node, Lock lock) {}

  public static void main(String[] args) throws IOException {
    String stdin = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    AgentProtocol.Response agent = viaAgent(System.getenv(), stdin);
    if (agent != null) {
      System.err.print(agent.stderr());
      out.print(agent.stdout());
      System.exit(agent.exitCode());
    }
    Logging.configure("off");
    System.exit(run(System.getenv(), stdin, out));
  }

  /** The node agent's answer, or null when no agent is reachable (nothing was sent: this process works alone). */
  static AgentProtocol.Response viaAgent(Map<String, String> env, String stdin) {
    if (!List.of("ADD", "DEL", "CHECK").contains(env.getOrDefault("CNI_COMMAND", ""))) {
      return null;
    }
    Object conf;
    try {
      conf = JsonText.parse(stdin);
    } catch (IllegalArgumentException undecodable) {
      return null; // reported by run(), with the decoder's message
    }
    try {
      return AgentClient.call(AgentClient.socketPath(JsonText.field(conf, "node_agent_socket"), env),
          new AgentProtocol.Request("calico-ipam", env, stdin), AgentClient.ANSWER_TIMEOUT);
    } catch (AgentClient.Unreachable down) {
      return null;
    } catch (IOException e) {
      return new AgentProtocol.Response(1, new CniException(CniException.TRY_AGAIN_LATER, e.getMessage(),
          "calico-node may have done part of the work; the command is safe to repeat")
          .toJson(JsonText.field(conf, "cniVersion")), "");
    }
  }

  /** One invocation; returns the exit code (0, or 1 with a CNI error printed). */
  static int run(Map<String, String> env, String stdin, PrintStream out) {
    return run(env, stdin, out, null);
  }

  /** One invocation, on the agent's IPAM when {@code shared} is given; returns the exit code. */
  public static int run(Map<String, String> env, String stdin, PrintStream out, Shared shared) {
    String version = null;
    try {
      String command = env.getOrDefault("CNI_COMMAND", "");
      if (command.equals("VERSION")) {
        out.print(CniResult.version(null));
        return 0;
      }
      JsonNode json = NetConf.parseJson(stdin);
      version = json.path("cniVersion").asText("0.1.0");
      NetConf conf = NetConf.parse(json);
      CniResult.checkVersion(conf.cniVersion());
      switch (command) {
        case "ADD" -> out.print(CniResult.ips(conf.cniVersion(), add(conf, env, shared)));
        case "DEL" -> del(conf, env, shared);
        case "CHECK" -> check(conf, env, shared);
        case "" -> throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_COMMAND is not set",
            "set CNI_COMMAND to ADD, DEL, CHECK or VERSION");
        default -> throw new CniException(CniException.INVALID_ENVIRONMENT, "unknown CNI_COMMAND " + command,
            "calico-ipam supports ADD, DEL, CHECK and VERSION");
      }
      return 0;
    } catch (CniException e) {
      out.print(CniResult.error(version, e));
      return 1;
    } catch (RuntimeException e) {
      out.print(CniResult.error(version, translate(e)));
      return 1;
    }
  }

  /** The CNI error for an IPAM or datastore failure (11 when retrying may succeed). */
  public static CniException translate(RuntimeException e) {
    if (e instanceof IpamException.TooManyConflicts) {
      return new CniException(CniException.TRY_AGAIN_LATER, e.getMessage(), "retry the operation");
    }
    if (e instanceof IpamException.InvalidRequest) {
      return new CniException(CniException.INVALID_NETWORK_CONFIG, e.getMessage(), "");
    }
    if (e instanceof IpamException) {
      return new CniException(CniException.IPAM_FAILURE, e.getMessage(), e.getClass().getSimpleName());
    }
    if (e instanceof StoreConfig.ConfigException) {
      return new CniException(CniException.INVALID_NETWORK_CONFIG, e.getMessage(), "check etcd_endpoints and the etcd_* files");
    }
    if (e instanceof StoreException se) {
      return new CniException(se.safeToRetry() || se instanceof StoreException.Unavailable ? CniException.TRY_AGAIN_LATER
          : CniException.IO_FAILURE, e.getMessage(), "etcd");
    }
    return new CniException(CniException.IO_FAILURE, e.getClass().getSimpleName() + ": " + e.getMessage(), "");
  }

  private static String containerId(Map<String, String> env) {
    String id = env.get("CNI_CONTAINERID");
    if (id == null || id.isEmpty()) {
      throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID is not set",
          "the runtime must set CNI_CONTAINERID");
    }
    return id;
  }

  /** {@code CNI_ARGS}: {@code K=V;K=V}. */
  static Map<String, String> cniArgs(Map<String, String> env) {
    return CniArgs.parse(env);
  }

  private static EtcdStore connect(NetConf conf, Map<String, String> env) {
    return EtcdStore.connect(StoreConfig.fromEnvironment(conf.etcdEnvironment(env)));
  }

  /** The node a request is for: the configuration's; under the agent, the agent's (a different one is an error). */
  private static String node(NetConf conf, Map<String, String> env, Shared shared) {
    if (shared == null) {
      return conf.node(env);
    }
    if (conf.nodename() != null && !conf.nodename().isEmpty() && !conf.nodename().equals(shared.node())) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "nodename \"" + conf.nodename()
          + "\" is not the node of the calico-node agent that received the request (" + shared.node() + ")",
          "fix \"nodename\", or point node_agent_socket at that node's agent");
    }
    return shared.node();
  }

  /** Addresses for the container (its existing ones on a repeated ADD), as host routes. */
  public static List<Cidr> add(NetConf conf, Map<String, String> env, Shared shared) {
    String handle = conf.name() + "." + containerId(env);
    String node = node(conf, env, shared);
    Map<String, String> args = cniArgs(env);
    Map<String, String> attrs = new HashMap<>();
    attrs.put("node", node);
    attrs.put("timestamp", goTime(Instant.now()));
    if (args.containsKey("K8S_POD_NAME")) {
      attrs.put("pod", args.get("K8S_POD_NAME"));
      attrs.put("namespace", args.getOrDefault("K8S_POD_NAMESPACE", "default"));
    }
    List<String> wanted = new ArrayList<>(conf.requestedIps());
    if (args.containsKey("IP") && !args.get("IP").isEmpty()) {
      wanted.addAll(List.of(args.get("IP").split(",")));
    }
    try (Session s = Session.open(conf, env, shared, node, true)) {
      Ipam ipam = s.ipam;
      List<Cidr> existing = existing(ipam, handle);
      if (!existing.isEmpty()) {
        return existing; // a repeated ADD for the same container
      }
      if (!wanted.isEmpty()) {
        List<Cidr> out = new ArrayList<>();
        try {
          for (String w : wanted) {
            InetAddress ip = address(w);
            ipam.assignIp(ip, handle, node, attrs);
            out.add(Cidr.of(ip, ip.getAddress().length * 8));
          }
        } catch (RuntimeException e) {
          ipam.releaseByHandle(handle);
          throw e;
        }
        return out;
      }
      if (!conf.assignIpv4() && !conf.assignIpv6()) {
        throw new CniException(CniException.INVALID_NETWORK_CONFIG, "assign_ipv4 and assign_ipv6 are both false",
            "nothing to assign");
      }
      Assignment a = ipam.autoAssign(new AssignRequest(handle, node, conf.assignIpv4() ? 1 : 0,
          conf.assignIpv6() ? 1 : 0, conf.ipv4Pools(), conf.ipv6Pools(), attrs, "Workload"));
      return a.all().stream().map(x -> Cidr.of(x.ip(), x.ip().getAddress().length * 8)).toList();
    }
  }

  private static List<Cidr> existing(Ipam ipam, String handle) {
    try {
      return ipam.allocationsOf(handle).stream().map(Allocation::address)
          .map(ip -> Cidr.of(ip, ip.getAddress().length * 8)).sorted().toList();
    } catch (IpamException.UnknownHandle none) {
      return List.of();
    }
  }

  private static InetAddress address(String text) {
    try {
      String t = text.trim();
      return (t.contains("/") ? Cidr.parse(t) : Cidr.parseAddress(t)).address();
    } catch (IllegalArgumentException e) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "requested IP " + text + " is not an IP address",
          e.getMessage());
    }
  }

  /** Releases the container's addresses; nothing to release is success. */
  public static void del(NetConf conf, Map<String, String> env, Shared shared) {
    String handle = conf.name() + "." + containerId(env);
    String node = node(conf, env, shared);
    try (Session s = Session.open(conf, env, shared, node, true)) {
      s.ipam.releaseByHandle(handle, node);
    }
  }

  /** Verifies that {@code prevResult}'s addresses are the container's. */
  public static void check(NetConf conf, Map<String, String> env, Shared shared) {
    if (conf.cniVersion().startsWith("0.3")) {
      throw new CniException(CniException.INCOMPATIBLE_VERSION, "CHECK needs cniVersion 0.4.0 or later, got "
          + conf.cniVersion(), "");
    }
    String handle = conf.name() + "." + containerId(env);
    JsonNode prev = conf.prevResult();
    if (prev == null || !prev.path("ips").isArray()) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "CHECK needs prevResult with ips", "");
    }
    try (Session s = Session.open(conf, env, shared, "calico-ipam", false)) {
      List<Cidr> held = existing(s.ipam, handle);
      if (held.isEmpty()) {
        throw new CniException(CniException.UNKNOWN_CONTAINER, "container " + containerId(env) + " has no addresses",
            "handle " + handle + " does not exist");
      }
      for (JsonNode ip : prev.path("ips")) {
        Cidr c = Cidr.parse(ip.path("address").asText());
        Cidr host = Cidr.of(c.address(), c.bits());
        if (!held.contains(host)) {
          throw new CniException(CniException.IPAM_FAILURE, "address " + c.addressString()
              + " of prevResult is not assigned to this container", "handle " + handle + " holds " + held);
        }
      }
    }
  }

  /**
   * The IPAM one command works with: the agent's (under its lock when {@code locked}), or a connection of this
   * process's own (under the node's lock file when {@code locked}); closing releases the lock and the connection.
   */
  private static final class Session implements AutoCloseable {
    final Ipam ipam;
    private final EtcdStore store;
    private final NodeLock fileLock;
    private final Lock lock;

    private Session(Ipam ipam, EtcdStore store, NodeLock fileLock, Lock lock) {
      this.ipam = ipam;
      this.store = store;
      this.fileLock = fileLock;
      this.lock = lock;
    }

    static Session open(NetConf conf, Map<String, String> env, Shared shared, String node, boolean locked) {
      if (shared != null) {
        if (locked) {
          shared.lock().lock();
        }
        return new Session(shared.ipam(), null, null, locked ? shared.lock() : null);
      }
      EtcdStore store = connect(conf, env);
      try {
        return new Session(Ipam.builder(store).actor("calico-ipam@" + node).build(), store,
            locked ? NodeLock.take(env) : null, null);
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }

    @Override
    public void close() {
      if (lock != null) {
        lock.unlock();
      }
      if (fileLock != null) {
        fileLock.close();
      }
      if (store != null) {
        store.close();
      }
    }
  }

  /** Go's {@code time.Now().UTC().String()}, as Calico writes the {@code timestamp} attribute. */
  static String goTime(Instant t) {
    String frac = t.getNano() == 0 ? "" : "." + String.format("%09d", t.getNano()).replaceAll("0+$", "");
    return GO_TIME.format(t) + frac + " +0000 UTC";
  }

  /** The node-wide IPAM lock; none when the lock file cannot be created (then conflicts are resolved by etcd). */
  static final class NodeLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private NodeLock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    static NodeLock take(Map<String, String> env) {
      Path p = Path.of(env.getOrDefault("CALICO_IPAM_LOCK_FILE", DEFAULT_LOCK_FILE));
      try {
        Files.createDirectories(p.getParent());
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        return new NodeLock(ch, ch.lock());
      } catch (IOException | UnsupportedOperationException e) {
        return new NodeLock(null, null);
      }
    }

    @Override
    public void close() {
      try {
        if (lock != null) {
          lock.release();
        }
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // released when the process exits anyway
      }
    }
  }
}
