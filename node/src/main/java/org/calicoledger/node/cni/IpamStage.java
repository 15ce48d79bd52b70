package org.calicoledger.node.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.calicoledger.cni.CniException;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.ipam.cni.CalicoIpam;
import org.calicoledger.model.net.Cidr;

/**
 * The IPAM step of the calico plugin. {@code calico-ipam} runs in the agent, on the node's long-lived
 * {@link org.calicoledger.ipam.Ipam} (the same code as {@code bin/calico-ipam}); any other {@code ipam.type} is
 * delegated by the CNI rules: the executable of that name in the first {@code CNI_PATH} directory that has it, run
 * with the request's environment (its {@code CNI_COMMAND}) and the whole configuration on stdin, its stderr passed
 * on, its error result passed through with its code.
 *
 * <p>Addresses come back as host routes ({@code /32}, {@code /128}), whatever prefix the IPAM plugin gave: a Calico
 * pod is alone on its link.
 */
final class IpamStage {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TIMEOUT_SECONDS = 60;
  private final CalicoIpam.Shared shared;

  IpamStage(CalicoIpam.Shared shared) {
    this.shared = shared;
  }

  List<Cidr> add(CniCall c) {
    if (c.conf().calicoIpam()) {
      return CalicoIpam.add(c.conf().net(), c.env(), shared);
    }
    JsonNode result = delegate(c, "ADD");
    List<Cidr> out = new ArrayList<>();
    for (JsonNode ip : result.path("ips")) {
      try {
        Cidr a = Cidr.parse(ip.path("address").asText());
        out.add(Cidr.of(a.address(), a.bits()));
      } catch (IllegalArgumentException e) {
        throw new CniException(CniException.IPAM_FAILURE, "IPAM plugin " + c.conf().ipamType() + " returned address "
            + ip.path("address") + ": " + e.getMessage(), result.toString());
      }
    }
    if (out.isEmpty()) {
      delegateQuietly(c, "DEL");
      throw new CniException(CniException.IPAM_FAILURE, "IPAM plugin " + c.conf().ipamType()
          + " returned no addresses", result.toString());
    }
    return out;
  }

  void del(CniCall c) {
    if (c.conf().calicoIpam()) {
      CalicoIpam.del(c.conf().net(), c.env(), shared);
    } else {
      delegate(c, "DEL");
    }
  }

  void check(CniCall c) {
    if (c.conf().calicoIpam()) {
      CalicoIpam.check(c.conf().net(), c.env(), shared);
    } else {
      delegate(c, "CHECK");
    }
  }

  /** Releases what ADD assigned, reporting nothing: used while undoing a failed ADD, which reports its own error. */
  void delQuietly(CniCall c) {
    try {
      del(c);
    } catch (RuntimeException e) {
      System.getLogger("calico-node").log(System.Logger.Level.WARNING, "undoing ADD of "
          + c.env().get("CNI_CONTAINERID") + ": IPAM release failed: " + e.getMessage());
    }
  }

  private void delegateQuietly(CniCall c, String command) {
    try {
      delegate(c, command);
    } catch (RuntimeException ignored) {
      // best effort while failing anyway
    }
  }

  private JsonNode delegate(CniCall c, String command) {
    Path exe = find(c.conf().ipamType(), c.env().get("CNI_PATH"));
    ProcessBuilder pb = new ProcessBuilder(exe.toString());
    pb.environment().clear();
    Map<String, String> env = new HashMap<>(c.env());
    env.put("CNI_COMMAND", command);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new CniException(CniException.IO_FAILURE, "cannot run IPAM plugin " + exe + ": " + e.getMessage(), "");
    }
    try {
      CompletableFuture<String> err = HostCommands.drain(p.getErrorStream(), "ipam-output");
      try (OutputStream in = p.getOutputStream()) {
        in.write(c.stdin().getBytes(StandardCharsets.UTF_8));
      } catch (IOException exitedEarly) {
        // its exit code and output say why
      }
      byte[] out = readAll(p.getInputStream());
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new CniException(CniException.TRY_AGAIN_LATER, "IPAM plugin " + exe + " " + command
            + " did not finish within " + TIMEOUT_SECONDS + " s", "");
      }
      c.stderr().append(err.join());
      String text = new String(out, StandardCharsets.UTF_8);
      JsonNode json = text.isBlank() ? JSON.createObjectNode() : parse(text, exe);
      if (p.exitValue() != 0) {
        if (json.has("code")) {
          throw new CniException(json.path("code").asInt(CniException.IPAM_FAILURE), "IPAM plugin "
              + c.conf().ipamType() + ": " + json.path("msg").asText(), json.path("details").asText());
        }
        throw new CniException(CniException.IPAM_FAILURE, "IPAM plugin " + exe + " " + command + " failed with exit"
            + " code " + p.exitValue(), text.strip());
      }
      return json;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CniException(CniException.TRY_AGAIN_LATER, "calico-node is shutting down", "retry the request");
    }
  }

  private static JsonNode parse(String text, Path exe) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new CniException(CniException.DECODING_FAILURE, "IPAM plugin " + exe + " printed something that is not"
          + " JSON", text.strip());
    }
  }

  /** The first executable named {@code type} in the {@code CNI_PATH} directories (error 4 without CNI_PATH). */
  static Path find(String type, String cniPath) {
    if (cniPath == null || cniPath.isBlank()) {
      throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_PATH is not set",
          "the runtime must give the plugin directories, where IPAM plugin " + type + " is looked up");
    }
    for (String dir : cniPath.split(":")) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, type);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new CniException(CniException.INVALID_NETWORK_CONFIG, "IPAM plugin " + type + " is not in CNI_PATH "
        + cniPath, "install it there, or set ipam.type to calico-ipam");
  }

  private static byte[] readAll(java.io.InputStream s) {
    try (s) {
      return s.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
