package org.calicoledger.confd.bird;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses BIRD 2's {@code show protocols} table:
 *
 * <pre>
 * BIRD 2.0.12 ready.
 * Name       Proto      Table      State  Since         Info
 * Mesh_10_0_0_2 BGP        ---        up     18:02:11.520  Established
 * Mesh_10_0_0_3 BGP        ---        start  18:02:09.001  Active        Socket: Connection refused
 * </pre>
 *
 * Columns are separated by runs of spaces; {@code Since} is one token (a time today) or two (a date and a time);
 * {@code Info} is the rest of the line. Lines that do not have at least five columns (the banner, the header, an
 * empty line) are skipped.
 */
public final class BirdProtocols {
  private BirdProtocols() {}

  public record Row(String name, String proto, String table, String state, String since, String info) {
    public boolean bgp() {
      return proto.equals("BGP");
    }
  }

  public static List<Row> parse(String text) {
    List<Row> rows = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("BIRD ") || l.startsWith("Name ")) {
        continue;
      }
      String[] t = l.split("\\s+", 6);
      if (t.length < 5) {
        continue;
      }
      String since = t[4];
      String info = t.length > 5 ? t[5] : "";
      if (since.matches("\\d{4}-\\d{2}-\\d{2}") && !info.isEmpty()) {
        String[] rest = info.split("\\s+", 2);
        since = since + " " + rest[0];
        info = rest.length > 1 ? rest[1] : "";
      }
      rows.add(new Row(t[0], t[1], t[2], t[3], since, info.strip()));
    }
    return rows;
  }
}
