package org.calicoledger.cni;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Sends one request to the node agent's Unix socket and waits for its answer, within deadlines: connecting may take
 * {@link #CONNECT_TIMEOUT} (refused or missing sockets fail at once), answering {@code answerTimeout}. A watchdog
 * thread closes the channel at the deadline, which ends a blocked read or connect.
 *
 * <p>The two failures differ in what the caller may assume: {@link Unreachable} means the agent never saw the
 * request (a front end may fall back to working alone), {@link NoAnswer} that it may have acted on it (only a retry
 * of the whole operation, which ADD and DEL allow, is safe).
 */
public final class AgentClient {
  public static final String SOCKET_NAME = "cni.sock";
  public static final Path DEFAULT_RUN_DIR = Path.of("/var/run/calico");
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);

  private AgentClient() {}

  /**
   * The agent's socket: the network configuration's {@code node_agent_socket}, else {@code $CALICO_RUN_DIR/cni.sock},
   * else {@code /var/run/calico/cni.sock}.
   */
  public static Path socketPath(String nodeAgentSocket, Map<String, String> env) {
    if (nodeAgentSocket != null && !nodeAgentSocket.isBlank()) {
      return Path.of(nodeAgentSocket);
    }
    String dir = env.get("CALICO_RUN_DIR");
    return (dir == null || dir.isBlank() ? DEFAULT_RUN_DIR : Path.of(dir)).resolve(SOCKET_NAME);
  }

  /**
   * Opens and closes a Unix socket on a thread of its own: the first one initializes the JDK's channel and security
   * classes (about 20 ms, interpreted), which then overlaps with whatever the caller does before {@link #call}.
   */
  public static void warmUp() {
    Thread t = new Thread(new WarmUp(), "agent-client-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /** A class, not a lambda: a lambda's first use costs a bootstrap of its own. */
  private static final class WarmUp implements Runnable {
    @Override
    public void run() {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.isOpen();
      } catch (IOException ignored) {
        // call() will report it
      }
    }
  }

  public static AgentProtocol.Response call(Path socket, AgentProtocol.Request request, Duration answerTimeout)
      throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    Watchdog dog = new Watchdog(ch, System.nanoTime() + CONNECT_TIMEOUT.toNanos());
    dog.start();
    try {
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
      } catch (IOException e) {
        throw new Unreachable("calico-node is not reachable at " + socket + ": "
            + (dog.fired ? "no connection within " + CONNECT_TIMEOUT.toMillis() + " ms" : reason(e)), e);
      }
      dog.deadline = System.nanoTime() + answerTimeout.toNanos();
      try {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
        AgentProtocol.write(out, request);
        return AgentProtocol.readResponse(new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch))));
      } catch (IOException e) {
        throw new NoAnswer("calico-node at " + socket + " did not answer: "
            + (dog.fired ? "no answer within " + answerTimeout.toSeconds() + " s" : reason(e)), e);
      }
    } finally {
      dog.interrupt();
      ch.close();
    }
  }

  private static String reason(IOException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /** The agent never saw the request. */
  public static final class Unreachable extends IOException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The request may have reached the agent, but no complete answer came back. */
  public static final class NoAnswer extends IOException {
    private static final long serialVersionUID = 1L;

    NoAnswer(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final class Watchdog extends Thread {
    private final SocketChannel channel;
    volatile long deadline;
    volatile boolean fired;

    Watchdog(SocketChannel channel, long deadline) {
      super("agent-client-watchdog");
      setDaemon(true);
      this.channel = channel;
      this.deadline = deadline;
    }

    @Override
    public void run() {
      try {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
          Thread.sleep(Math.max(1, left / 1_000_000));
        }
        fired = true;
        channel.close();
      } catch (InterruptedException | IOException done) {
        // answered in time, or closing raced with the caller's own close
      }
    }
  }
}
