package org.calicoledger.felix.dataplane.wireguard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.felix.kernel.KernelCommandException;

/**
 * The WireGuard interface itself: the kernel's ({@code ip link add NAME type wireguard}) where the kernel has the
 * module, otherwise a {@code wireguard-go -f NAME} child process (with {@code WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1})
 * that this class supervises: started when the interface is missing, started again if it died, killed by
 * {@link #remove} and {@link #stop}. A userspace interface lives exactly as long as its process.
 *
 * <p>wireguard-go's control socket is {@code /var/run/wireguard/<name>.sock}, shared by every network namespace of
 * the host: two nodes on one host (tests) need different interface names.
 */
final class WireguardDevice {
  static final long START_TIMEOUT_MS = 10_000;
  private final HostCommands cmd;
  private final Path logFile;
  private Process userspace;
  private String userspaceIface;

  WireguardDevice(HostCommands cmd, Path runDir) {
    this.cmd = cmd;
    this.logFile = runDir.resolve("wireguard").resolve("wireguard-go.log");
  }

  boolean exists(String iface) {
    return cmd.run(null, "ip", "link", "show", "dev", iface).ok();
  }

  /** Whether the interface runs in userspace (a wireguard-go process of ours). */
  boolean userspace() {
    return userspace != null && userspace.isAlive();
  }

  /** Makes sure {@code iface} exists; returns whether it had to create it. */
  boolean ensure(String iface) throws IOException, InterruptedException {
    if (exists(iface) && cmd.run(null, "wg", "show", iface).ok()) {
      return false;
    }
    stop();
    if (cmd.run(null, "ip", "link", "add", iface, "type", "wireguard").ok()) {
      return true;
    }
    Files.createDirectories(logFile.getParent());
    userspace = cmd.start(Map.of("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1"), logFile.toFile(),
        "wireguard-go", "-f", iface);
    userspaceIface = iface;
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (!userspace.isAlive()) {
        throw new KernelCommandException("wireguard-go for " + iface + " exited with " + userspace.exitValue()
            + "; see " + logFile + " (the kernel has no wireguard module, and userspace WireGuard needs /dev/net/tun)");
      }
      if (exists(iface) && cmd.run(null, "wg", "show", iface).ok()) {
        return true;
      }
      Thread.sleep(20);
    }
    stop();
    throw new KernelCommandException("wireguard-go did not bring up " + iface + " within " + START_TIMEOUT_MS
        + " ms; see " + logFile);
  }

  /** Removes {@code iface} (ours or left by an earlier run) and stops our process. */
  void remove(String iface) {
    stop();
    if (exists(iface)) {
      cmd.run(null, "ip", "link", "del", iface);
    }
  }

  /** Kills our wireguard-go, if any, and waits for it to go. */
  void stop() {
    Process p = userspace;
    userspace = null;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    if (userspaceIface != null && exists(userspaceIface)) {
      cmd.run(null, "ip", "link", "del", userspaceIface);
    }
  }
}
