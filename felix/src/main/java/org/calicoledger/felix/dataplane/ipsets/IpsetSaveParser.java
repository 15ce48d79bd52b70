package org.calicoledger.felix.dataplane.ipsets;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the output of {@code ipset save} (lines {@code create NAME TYPE family F ...} and {@code add NAME MEMBER})
 * into the sets Felix owns ({@link IpSet#owned}); every other set is left out, so it can never be changed.
 */
public final class IpsetSaveParser {
  private IpsetSaveParser() {}

  public static Map<String, IpSet> parse(String save) {
    Map<String, String[]> heads = new LinkedHashMap<>();
    Map<String, Set<String>> members = new HashMap<>();
    for (String line : save.split("\n")) {
      String[] w = line.trim().split("\\s+");
      if (w.length >= 3 && w[0].equals("create") && IpSet.owned(w[1])) {
        String family = "inet";
        for (int i = 3; i + 1 < w.length; i++) {
          if (w[i].equals("family")) {
            family = w[i + 1];
          }
        }
        heads.put(w[1], new String[] {w[2], family});
        members.put(w[1], new HashSet<>());
      } else if (w.length >= 3 && w[0].equals("add") && members.containsKey(w[1])) {
        members.get(w[1]).add(w[2]);
      }
    }
    Map<String, IpSet> out = new LinkedHashMap<>();
    heads.forEach((name, h) -> out.put(name, new IpSet(name, h[0], h[1], members.get(name))));
    return out;
  }
}
