package org.calicoledger.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The front end against a fake agent on a Unix socket in a temporary directory. */
class CalicoPluginTest {
  Path dir;
  Path sock;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory("cni-front");
    sock = dir.resolve("cni.sock");
  }

  @AfterEach
  void tearDown() throws IOException {
    Files.deleteIfExists(sock);
    Files.deleteIfExists(dir);
  }

  String conf() {
    return "{\"cniVersion\":\"0.4.0\",\"name\":\"net\",\"type\":\"calico\",\"node_agent_socket\":\"" + sock + "\"}";
  }

  int run(Map<String, String> env, String stdin) {
    return CalicoPlugin.run("calico", env, stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  Map<?, ?> result() {
    return (Map<?, ?>) JsonText.parse(out.toString(StandardCharsets.UTF_8));
  }

  static Map<String, String> env(String command) {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", "c1");
    return env;
  }

  @Test
  void forwardsEnvironmentAndStdinUnchangedAndPrintsTheAgentsAnswer() throws Exception {
    AtomicReference<AgentProtocol.Request> seen = new AtomicReference<>();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread agent = new Thread(() -> {
        try (SocketChannel ch = server.accept()) {
          seen.set(AgentProtocol.readRequest(new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)))));
          AgentProtocol.write(new DataOutputStream(Channels.newOutputStream(ch)),
              new AgentProtocol.Response(1, "{\"code\":100}\n", "agent log line\n"));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      agent.start();
      int rc = run(env("ADD"), conf());
      agent.join();
      assertThat(rc).isEqualTo(1);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"code\":100}\n");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("agent log line\n");
    assertThat(seen.get().plugin()).isEqualTo("calico");
    assertThat(seen.get().env()).containsEntry("CNI_COMMAND", "ADD").containsEntry("CNI_CONTAINERID", "c1");
    assertThat(seen.get().stdin()).isEqualTo(conf());
  }

  @Test
  void noAgentIsTryAgainLaterAtOnceNamingTheSocket() {
    long t0 = System.nanoTime();
    assertThat(run(env("ADD"), conf())).isEqualTo(1);
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
    assertThat(result().get("code")).isEqualTo(11.0);
    assertThat(result().get("cniVersion")).isEqualTo("0.4.0");
    assertThat((String) result().get("msg")).contains(sock.toString());
    assertThat((String) result().get("details")).startsWith("nothing was changed");
  }

  @Test
  void aStaleSocketFileIsTryAgainLaterToo() throws IOException {
    ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(sock));
    dead.close(); // the file stays, as after kill -9
    assertThat(sock).exists();
    assertThat(run(env("DEL"), conf())).isEqualTo(1);
    assertThat(result().get("code")).isEqualTo(11.0);
    assertThat((String) result().get("msg")).contains("not reachable");
  }

  @Test
  void anAgentThatDiesMidRequestIsTryAgainLaterAndSaysTheCommandIsSafeToRepeat() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread agent = new Thread(() -> {
        try (SocketChannel ch = server.accept()) {
          ch.read(java.nio.ByteBuffer.allocate(16));
        } catch (IOException ignored) {
          // closing without an answer is the point
        }
      });
      agent.start();
      assertThat(run(env("ADD"), conf())).isEqualTo(1);
      agent.join();
    }
    assertThat(result().get("code")).isEqualTo(11.0);
    assertThat((String) result().get("details")).contains("ADD is safe to repeat");
  }

  @Test
  void versionIsAnsweredWithoutTheAgent() {
    assertThat(run(env("VERSION"), "")).isZero();
    assertThat(result().get("supportedVersions")).isEqualTo(CniVersion.SUPPORTED);
  }

  @Test
  void aMissingOrUnknownCommandIsCode4() {
    assertThat(run(Map.of(), conf())).isEqualTo(1);
    assertThat(result().get("code")).isEqualTo(4.0);
    assertThat((String) result().get("msg")).isEqualTo("CNI_COMMAND is not set");
    out.reset();
    assertThat(run(env("GC"), conf())).isEqualTo(1);
    assertThat((String) result().get("msg")).isEqualTo("CNI_COMMAND GC is not supported");
  }

  @Test
  void anUndecodableConfigurationIsCode6() {
    for (String bad : new String[] {"", "{\"cniVersion\": ", "[1,2]"}) {
      out.reset();
      assertThat(run(env("ADD"), bad)).isEqualTo(1);
      assertThat(result().get("code")).as(bad).isEqualTo(6.0);
    }
  }
}
