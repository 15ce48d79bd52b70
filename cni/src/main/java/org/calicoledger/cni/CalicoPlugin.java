package org.calicoledger.cni;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/calico}, the CNI plugin as a runtime runs it: {@code CNI_*} in the environment, the network configuration
 * on stdin, the result (or a CNI error) on stdout. It holds no logic: it forwards the request, unchanged, to the node
 * agent ({@code calico-node}) over the Unix socket named by {@link AgentClient#socketPath} and prints the answer.
 *
 * <p>Invariants: it loads nothing beyond {@code java.base} (it starts once per pod: every class costs start time);
 * it answers VERSION itself, so runtimes can probe it while the agent is down; when the agent cannot be reached it
 * prints error 11 (try again later) within {@link AgentClient#CONNECT_TIMEOUT} and has changed nothing anywhere.
 */
public final class CalicoPlugin {
  static final List<String> COMMANDS = List.of("ADD", "DEL", "CHECK");

  private CalicoPlugin() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length == 1 && args[0].equals("--train-archive")) {
      System.exit(ArchiveTraining.run());
    }
    if (COMMANDS.contains(System.getenv().getOrDefault("CNI_COMMAND", ""))) {
      AgentClient.warmUp(); // the JDK's socket classes initialize while stdin is read and decoded
    }
    String stdin = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.exit(run("calico", System.getenv(), stdin, out, System.err));
  }

  /** One invocation of front end {@code plugin}; returns the exit code. */
  static int run(String plugin, Map<String, String> env, String stdin, PrintStream out, PrintStream err) {
    String version = null;
    try {
      String command = env.getOrDefault("CNI_COMMAND", "");
      if (command.equals("VERSION")) {
        out.print(CniVersion.versionJson());
        return 0;
      }
      if (!COMMANDS.contains(command)) {
        throw new CniException(CniException.INVALID_ENVIRONMENT, command.isEmpty() ? "CNI_COMMAND is not set"
            : "CNI_COMMAND " + command + " is not supported", plugin + " supports ADD, DEL, CHECK and VERSION");
      }
      Object conf = decode(stdin);
      version = JsonText.field(conf, "cniVersion");
      AgentProtocol.Response r = AgentClient.call(
          AgentClient.socketPath(JsonText.field(conf, "node_agent_socket"), env),
          new AgentProtocol.Request(plugin, env, stdin), AgentClient.ANSWER_TIMEOUT);
      err.print(r.stderr());
      out.print(r.stdout());
      return r.exitCode();
    } catch (CniException e) {
      out.print(e.toJson(version));
      return 1;
    } catch (AgentClient.Unreachable e) {
      out.print(new CniException(CniException.TRY_AGAIN_LATER, e.getMessage(),
          "nothing was changed; start calico-node on this host, or point node_agent_socket at its socket")
          .toJson(version));
      return 1;
    } catch (IOException e) {
      out.print(new CniException(CniException.TRY_AGAIN_LATER, e.getMessage(),
          "calico-node may have done part of the work; " + env.getOrDefault("CNI_COMMAND", "")
              + " is safe to repeat").toJson(version));
      return 1;
    }
  }

  /** The network configuration as a JSON object (error 6 otherwise); the agent validates its fields. */
  static Object decode(String stdin) {
    if (stdin == null || stdin.isBlank()) {
      throw new CniException(CniException.DECODING_FAILURE, "no network configuration on stdin",
          "the runtime must pass the network configuration JSON on stdin");
    }
    Object conf;
    try {
      conf = JsonText.parse(stdin);
    } catch (IllegalArgumentException e) {
      throw new CniException(CniException.DECODING_FAILURE, "cannot decode the network configuration", e.getMessage());
    }
    if (!(conf instanceof Map)) {
      throw new CniException(CniException.DECODING_FAILURE, "network configuration is not a JSON object",
          stdin.strip());
    }
    return conf;
  }
}
