package org.calicoledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code calicoctl node status}: asks the local calico-node's health port ({@code GET /bgp/status}) and prints
 * calicoctl's report: whether the node runs, then one table of IPv4 and one of IPv6 BGP peers
 * ({@code PEER ADDRESS | PEER TYPE | STATE | SINCE | INFO}). Exit 1 when calico-node does not answer.
 */
@Command(name = "status", description = "Check the status of the calico-node on this host and its BGP peers.")
final class NodeStatusCommand implements Callable<Integer> {
  private static final String[] HEADER = {"PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO"};

  @Spec
  CommandSpec spec;

  @Option(names = "--health-host", description = "calico-node's health address (default: FELIX_HEALTHHOST or "
      + "127.0.0.1).")
  String host;

  @Option(names = "--health-port", description = "calico-node's health port (default: FELIX_HEALTHPORT or 9099).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String h = host != null ? host : System.getenv().getOrDefault("FELIX_HEALTHHOST", "127.0.0.1");
    int p = port != null ? port : Integer.parseInt(System.getenv().getOrDefault("FELIX_HEALTHPORT", "9099").trim());
    JsonNode status;
    try {
      HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://" + (h.contains(":") ? "[" + h + "]"
          : h) + ":" + p + "/bgp/status")).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 404) {
        out.println("Calico process is running.");
        out.println();
        out.println("None of the BGP backend processes (BIRD or built-in) are running.");
        out.flush();
        return 0;
      }
      status = new ObjectMapper().readTree(r.body());
    } catch (java.io.IOException e) {
      out.println("Calico process is not running.");
      out.flush();
      return 1;
    }
    out.println("Calico process is running.");
    if (!status.path("running").asBoolean()) {
      out.println();
      out.println("The BGP backend process (" + status.path("backend").asText() + ") is not running.");
      out.flush();
      return 0;
    }
    List<String[]> v4 = new ArrayList<>();
    List<String[]> v6 = new ArrayList<>();
    for (JsonNode peer : status.path("peers")) {
      String[] row = {peer.path("peerAddress").asText(), peer.path("peerType").asText(), peer.path("state").asText(),
          peer.path("since").asText(), peer.path("info").asText()};
      String addr = row[0];
      (addr.startsWith("[") || addr.chars().filter(ch -> ch == ':').count() > 1 ? v6 : v4).add(row);
    }
    section(out, "IPv4", v4);
    section(out, "IPv6", v6);
    out.flush();
    return 0;
  }

  private static void section(PrintWriter out, String family, List<String[]> rows) {
    out.println();
    out.println(family + " BGP status");
    if (rows.isEmpty()) {
      out.println("No " + family + " peers found.");
      return;
    }
    out.print(render(rows));
  }

  /** calicoctl's table: headers centred, cells left-aligned, one space of padding each side. */
  static String render(List<String[]> rows) {
    int[] w = new int[HEADER.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = HEADER[i].length();
      for (String[] r : rows) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder line = new StringBuilder("+");
    for (int x : w) {
      line.append("-".repeat(x + 2)).append('+');
    }
    StringBuilder b = new StringBuilder();
    b.append(line).append('\n').append('|');
    for (int i = 0; i < w.length; i++) {
      int pad = w[i] - HEADER[i].length();
      b.append(' ').append(" ".repeat(pad / 2)).append(HEADER[i]).append(" ".repeat(pad - pad / 2)).append(" |");
    }
    b.append('\n').append(line).append('\n');
    for (String[] r : rows) {
      b.append('|');
      for (int i = 0; i < w.length; i++) {
        b.append(' ').append(r[i]).append(" ".repeat(w[i] - r[i].length())).append(" |");
      }
      b.append('\n');
    }
    return b.append(line).append('\n').toString();
  }
}
