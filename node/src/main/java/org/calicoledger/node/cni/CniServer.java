package org.calicoledger.node.cni;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.calicoledger.cni.AgentProtocol;
import org.calicoledger.node.NodeService;

/**
 * The CNI agent's Unix socket ({@code <CALICO_RUN_DIR>/cni.sock}, mode 0660): one thread accepts, a pool of
 * {@link #WORKERS} answers (more concurrent requests queue). The socket file exists exactly while the agent
 * accepts: a front end that finds no file, or a file nobody listens on, gets "try again later" at once.
 *
 * <p>Start refuses to take over a socket another live agent answers on (two agents for one node would race for
 * the same interfaces); a stale file left by a killed agent is replaced. Stop closes the socket first, so no new
 * request is accepted, then lets requests in progress finish for up to {@link #DRAIN_SECONDS} seconds.
 */
public final class CniServer implements NodeService {
  static final int WORKERS = 32;
  static final int DRAIN_SECONDS = 30;
  private static final System.Logger LOG = System.getLogger("calico-node");
  private final Path socket;
  private final CniAgent agent;
  private final AtomicInteger inFlight = new AtomicInteger();
  private ServerSocketChannel server;
  private ExecutorService workers;
  private Thread acceptor;
  private volatile boolean serving;

  public CniServer(Path socket, CniAgent agent) {
    this.socket = socket;
    this.agent = agent;
  }

  @Override
  public String name() {
    return "cni-agent";
  }

  @Override
  public void start() throws IOException {
    Files.createDirectories(socket.getParent());
    if (Files.exists(socket)) {
      if (answers(socket)) {
        throw new IllegalStateException("another calico-node answers on " + socket + ": stop it, or give this one"
            + " its own CALICO_RUN_DIR");
      }
      Files.delete(socket);
    }
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket), WORKERS * 4);
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    AtomicInteger n = new AtomicInteger();
    workers = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "cni-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    serving = true;
    acceptor = new Thread(this::accept, "cni-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    LOG.log(System.Logger.Level.INFO, "CNI agent listening on " + socket);
  }

  private void accept() {
    while (serving) {
      try {
        SocketChannel ch = server.accept();
        inFlight.incrementAndGet();
        workers.execute(() -> serve(ch));
      } catch (ClosedChannelException closed) {
        return;
      } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
        if (serving) {
          LOG.log(System.Logger.Level.WARNING, "CNI agent: accept failed: " + e.getMessage());
        }
      }
    }
  }

  private void serve(SocketChannel ch) {
    try (ch) {
      AgentProtocol.Request req = AgentProtocol.readRequest(
          new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch))));
      AgentProtocol.Response resp = agent.handle(req);
      AgentProtocol.write(new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch))), resp);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "CNI agent: request not answered: " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "CNI agent: request failed", e);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** Whether something accepts connections on {@code path} (a live agent) rather than a stale file. */
  static boolean answers(Path path) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(path));
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  @Override
  public boolean ready() {
    return serving;
  }

  /** Requests accepted and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public void stop() {
    serving = false;
    try {
      if (server != null) {
        server.close();
      }
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "CNI agent: cannot remove " + socket + ": " + e.getMessage());
    }
    if (workers != null) {
      workers.shutdown();
      try {
        if (!workers.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
          LOG.log(System.Logger.Level.WARNING, "CNI agent: " + inFlight.get() + " request(s) still running after "
              + DRAIN_SECONDS + " s; stopping anyway");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
