package org.calicoledger.node.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A process that lives in one pod's network namespace (started with {@code ip netns exec <pod ns> java -cp ...}):
 * it answers on TCP and UDP and probes other pods on command, so the test JVM never starts a process per probe.
 *
 * <p>Arguments: {@code <reply> <port>...}. For every port it listens on TCP and UDP on 0.0.0.0 and answers each
 * connection (then closes it) and each datagram with {@code <reply>\n}. It prints {@code ready} once every socket is
 * bound.
 *
 * <p>Commands on stdin, one per line, each answered by one line on stdout:
 * <ul>
 *   <li>{@code tcp <ip> <port> <timeoutMs>}: connect and read one line, each step bounded by the timeout;</li>
 *   <li>{@code udp <ip> <port> <timeoutMs>}: send one datagram from a fresh socket (a fresh conntrack entry) and wait
 *       for one datagram back.</li>
 * </ul>
 * The answer is {@code ok <reply>} when a reply arrived, else {@code fail <reason>}. EOF on stdin ends the process
 * (so it dies with the test JVM's pipe), as does SIGTERM. Only the JDK: this class runs from the test classes
 * directory alone.
 */
public final class PodAgent {
  private PodAgent() {}

  public static void main(String[] args) throws Exception {
    String reply = args[0] + "\n";
    byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
    for (int i = 1; i < args.length; i++) {
      int port = Integer.parseInt(args[i]);
      ServerSocket tcp = new ServerSocket();
      tcp.setReuseAddress(true);
      tcp.bind(new InetSocketAddress("0.0.0.0", port), 128);
      DatagramSocket udp = new DatagramSocket(new InetSocketAddress("0.0.0.0", port));
      daemon("tcp-" + port, () -> serveTcp(tcp, bytes));
      daemon("udp-" + port, () -> serveUdp(udp, bytes));
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] c = line.trim().split("\\s+");
      if (c.length != 4) {
        out.println("fail bad command: " + line);
        continue;
      }
      InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(c[1]), Integer.parseInt(c[2]));
      int timeout = Integer.parseInt(c[3]);
      out.println(switch (c[0]) {
        case "tcp" -> tcp(to, timeout);
        case "udp" -> udp(to, timeout);
        default -> "fail unknown protocol " + c[0];
      });
    }
    System.exit(0);
  }

  private static String tcp(InetSocketAddress to, int timeout) {
    try (Socket s = new Socket()) {
      s.connect(to, timeout);
      s.setSoTimeout(timeout);
      String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
      return line == null ? "fail closed without a reply" : "ok " + line;
    } catch (IOException e) {
      return "fail " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static String udp(InetSocketAddress to, int timeout) {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(timeout);
      byte[] ping = "probe\n".getBytes(StandardCharsets.UTF_8);
      s.send(new DatagramPacket(ping, ping.length, to));
      DatagramPacket p = new DatagramPacket(new byte[512], 512);
      s.receive(p);
      return "ok " + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "fail " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static void serveTcp(ServerSocket server, byte[] reply) {
    while (true) {
      try (Socket s = server.accept()) {
        s.getOutputStream().write(reply);
      } catch (IOException e) {
        // one connection failed (reset by the prober); keep serving
      }
    }
  }

  private static void serveUdp(DatagramSocket socket, byte[] reply) {
    byte[] buf = new byte[512];
    while (true) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
      } catch (IOException e) {
        // a send failed (e.g. no route back); keep serving
      }
    }
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }
}
