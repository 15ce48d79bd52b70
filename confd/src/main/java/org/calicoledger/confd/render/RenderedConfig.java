package org.calicoledger.confd.render;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The BIRD configuration files of one node at one source revision: file name to body (the text without the header),
 * and the BGP sessions they configure (IPv4 then IPv6), which status reports use to name peers.
 *
 * <p>The header ({@link #header}) is two comment lines: what rendered the file and for which BIRD, then the source
 * revision. Only the revision line differs between two renders of the same state, so a writer compares bodies (or
 * whole files minus {@link #REVISION_PREFIX} lines) to decide whether a file changed.
 */
public record RenderedConfig(long revision, Map<String, String> bodies, java.util.List<Peering> peerings) {
  /** Debian's bird2 package this output is written for (and checked with, {@code bird -p}). */
  public static final String BIRD_VERSION = "BIRD 2 (Debian bird2 2.0.12)";
  public static final String REVISION_PREFIX = "# Source revision: ";

  public RenderedConfig {
    bodies = Collections.unmodifiableMap(new LinkedHashMap<>(bodies));
    peerings = java.util.List.copyOf(peerings);
  }

  /** The whole text of {@code name}: header then body. */
  public String file(String name) {
    String body = bodies.get(name);
    if (body == null) {
      throw new IllegalArgumentException("no rendered file named " + name + "; have " + bodies.keySet());
    }
    return header(name, revision) + body;
  }

  public static String header(String name, long revision) {
    return "# " + name + ": rendered by calico-ledger confd for " + BIRD_VERSION + ". Do not edit.\n"
        + REVISION_PREFIX + revision + "\n";
  }

  /** {@code text} without its revision line, for comparing two versions of a file. */
  public static String withoutRevision(String text) {
    int at = text.indexOf(REVISION_PREFIX);
    if (at < 0 || (at > 0 && text.charAt(at - 1) != '\n')) {
      return text;
    }
    int end = text.indexOf('\n', at);
    return text.substring(0, at) + (end < 0 ? "" : text.substring(end + 1));
  }
}
