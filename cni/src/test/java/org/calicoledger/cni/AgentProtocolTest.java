package org.calicoledger.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class AgentProtocolTest {
  @Property
  void requestsSurviveTheWire(@ForAll String plugin, @ForAll Map<String, String> env, @ForAll String stdin)
      throws IOException {
    AgentProtocol.Request r = new AgentProtocol.Request(plugin, env, stdin);
    assertThat(AgentProtocol.readRequest(in(bytes(r)))).isEqualTo(r);
  }

  @Property
  void responsesSurviveTheWire(@ForAll int code, @ForAll String out, @ForAll String err) throws IOException {
    AgentProtocol.Response r = new AgentProtocol.Response(code, out, err);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    AgentProtocol.write(new DataOutputStream(b), r);
    assertThat(AgentProtocol.readResponse(in(b.toByteArray()))).isEqualTo(r);
  }

  @Test
  void anotherProtocolIsNamed() {
    assertThatThrownBy(() -> AgentProtocol.readRequest(in("GET / HTTP/1.0\r\n\r\n".getBytes())))
        .isInstanceOf(IOException.class).hasMessageContaining("peer speaks another protocol")
        .hasMessageContaining("same build");
  }

  @Test
  void truncatedAndOversizedMessagesAreRefused() throws IOException {
    byte[] whole = bytes(new AgentProtocol.Request("calico", Map.of("CNI_COMMAND", "ADD"), "{}"));
    assertThatThrownBy(() -> AgentProtocol.readRequest(in(Arrays.copyOf(whole, whole.length - 1))))
        .isInstanceOf(IOException.class);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(AgentProtocol.MAGIC);
    out.writeInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> AgentProtocol.readRequest(in(b.toByteArray())))
        .hasMessageContaining("at most " + AgentProtocol.MAX_BYTES + " are accepted");
  }

  static byte[] bytes(AgentProtocol.Request r) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    AgentProtocol.write(new DataOutputStream(b), r);
    return b.toByteArray();
  }

  static DataInputStream in(byte[] b) {
    return new DataInputStream(new ByteArrayInputStream(b));
  }
}
