package org.calicoledger.node;

import java.util.concurrent.CountDownLatch;
import org.calicoledger.store.Logging;

/**
 * {@code bin/calico-node}: reads {@link NodeConfig} from the environment, starts {@link CalicoNode}, and runs until
 * SIGTERM or SIGINT, which stop it cleanly (the CNI socket closes first, requests in progress finish, etcd last).
 * Exit codes: 1 for a bad setting or a failed start (the message says which), 143/130 after a signal (the JVM's).
 */
public final class NodeMain {
  private static final System.Logger LOG = System.getLogger("calico-node");

  private NodeMain() {}

  public static void main(String[] args) throws InterruptedException {
    Logging.configure("info");
    NodeConfig cfg;
    try {
      cfg = NodeConfig.fromEnvironment(System.getenv());
    } catch (RuntimeException e) {
      System.err.println("calico-node: " + e.getMessage());
      System.exit(1);
      return;
    }
    CalicoNode node = new CalicoNode(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "calico-node-shutdown"));
    try {
      node.start();
    } catch (Exception e) {
      boolean setting = e instanceof IllegalArgumentException || e instanceof IllegalStateException;
      LOG.log(System.Logger.Level.ERROR, "calico-node " + cfg.nodename() + " cannot start: " + e.getMessage(),
          setting ? null : e);
      System.err.println("calico-node: " + e.getMessage());
      System.exit(1);
    }
    stopped.await();
  }
}
