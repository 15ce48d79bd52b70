package org.calicoledger.cni;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code CalicoPlugin --train-archive}: one complete request to a stand-in agent (a socket in a temporary directory,
 * answered by this process), one to a missing agent and one VERSION, so that a class-data archive recorded during
 * this run ({@code -XX:ArchiveClassesAtExit}) holds every class a real request loads. Recorded on the first run
 * instead, the archive would hold only what that run needed, and a runtime's first call is often VERSION.
 */
final class ArchiveTraining {
  private ArchiveTraining() {}

  static int run() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("calico-cni-training");
    Path sock = dir.resolve(AgentClient.SOCKET_NAME);
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
    AgentClient.warmUp();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread agent = new Thread(() -> {
        try (SocketChannel ch = server.accept()) {
          AgentProtocol.readRequest(new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch))));
          AgentProtocol.write(new DataOutputStream(Channels.newOutputStream(ch)),
              new AgentProtocol.Response(0, "{\"cniVersion\":\"1.0.0\"}\n", ""));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }, "training-agent");
      agent.start();
      String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"training\",\"type\":\"calico\",\"mtu\":1500,"
          + "\"ipam\":{\"type\":\"calico-ipam\"},\"node_agent_socket\":\"" + sock + "\"}";
      Map<String, String> env = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "training", "CNI_IFNAME", "eth0",
          "CNI_NETNS", "/var/run/netns/training", "CNI_ARGS", "K8S_POD_NAMESPACE=default;K8S_POD_NAME=training");
      int ok = CalicoPlugin.run("calico", env, conf, sink, sink);
      agent.join();
      int missing = CalicoPlugin.run("calico", env, conf.replace(sock.toString(), dir.resolve("none").toString()),
          sink, sink);
      int version = CalicoPlugin.run("calico", Map.of("CNI_COMMAND", "VERSION"), "", sink, sink);
      return ok == 0 && missing == 1 && version == 0 ? 0 : 1;
    } finally {
      Files.deleteIfExists(sock);
      Files.deleteIfExists(dir);
    }
  }
}
