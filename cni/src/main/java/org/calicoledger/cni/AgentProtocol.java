package org.calicoledger.cni;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The front ends' request to the node agent over its Unix socket, and the answer: exactly what a CNI plugin gets from
 * its runtime (environment and stdin) and gives back (exit code, stdout, stderr), so the agent's answer is printed
 * unchanged. One request and one response per connection.
 *
 * <pre>
 * request:  int MAGIC, str plugin ("calico" | "calico-ipam"), int n, n x (str key, str value), str stdin
 * response: int MAGIC, int exitCode, str stdout, str stderr
 * str:      int length, UTF-8 bytes
 * </pre>
 * Every length is checked against {@link #MAX_BYTES} before anything is allocated, so a confused peer cannot make
 * either side allocate without bound.
 */
public final class AgentProtocol {
  /** "CNI1": a changed layout gets a new magic, and an old peer fails with a clear message instead of misreading. */
  public static final int MAGIC = 0x434E4931;
  static final int MAX_BYTES = 16 << 20;
  private static final int MAX_ENV = 10_000;

  private AgentProtocol() {}

  public record Request(String plugin, Map<String, String> env, String stdin) {
    public Request {
      env = Map.copyOf(env);
    }
  }

  public record Response(int exitCode, String stdout, String stderr) {}

  public static void write(DataOutputStream out, Request r) throws IOException {
    out.writeInt(MAGIC);
    str(out, r.plugin());
    out.writeInt(r.env().size());
    for (Map.Entry<String, String> e : r.env().entrySet()) {
      str(out, e.getKey());
      str(out, e.getValue());
    }
    str(out, r.stdin());
    out.flush();
  }

  public static Request readRequest(DataInputStream in) throws IOException {
    magic(in);
    String plugin = str(in);
    int n = in.readInt();
    if (n < 0 || n > MAX_ENV) {
      throw new IOException("request has " + n + " environment variables; at most " + MAX_ENV + " are accepted");
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      env.put(str(in), str(in));
    }
    return new Request(plugin, env, str(in));
  }

  public static void write(DataOutputStream out, Response r) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(r.exitCode());
    str(out, r.stdout());
    str(out, r.stderr());
    out.flush();
  }

  public static Response readResponse(DataInputStream in) throws IOException {
    magic(in);
    return new Response(in.readInt(), str(in), str(in));
  }

  private static void magic(DataInputStream in) throws IOException {
    int m = in.readInt();
    if (m != MAGIC) {
      throw new IOException(String.format("peer speaks another protocol (magic 0x%08x, expected 0x%08x): the plugin"
          + " and calico-node must come from the same build", m, MAGIC));
    }
  }

  private static void str(DataOutputStream out, String s) throws IOException {
    byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String str(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_BYTES) {
      throw new IOException("string of " + n + " bytes in a request; at most " + MAX_BYTES + " are accepted");
    }
    byte[] b = new byte[n];
    try {
      in.readFully(b);
    } catch (EOFException e) {
      throw new EOFException("connection closed in the middle of a message");
    }
    return new String(b, StandardCharsets.UTF_8);
  }
}
