package org.calicoledger.confd.render;

import java.util.List;

/**
 * {@code bird_aggr.cfg} / {@code bird6_aggr.cfg}: a blackhole static route per block affine to this node (traffic to
 * an unused address of a local block ends here instead of following a default route), and {@code calico_aggr}
 * ({@code calico_aggr6}), which exports a local block as a whole and never a route inside it.
 */
final class AggrFile {
  private AggrFile() {}

  static String render(int v, List<String> blocks) {
    String sfx = v == 4 ? "" : "6";
    StringBuilder b = new StringBuilder();
    if (blocks.isEmpty()) {
      b.append("# No IPv").append(v).append(" blocks are affine to this node.\n");
    } else {
      b.append("# The IPv").append(v).append(" blocks affine to this node.\n");
      b.append("protocol static static").append(v).append(" {\n  ").append(v == 4 ? "ipv4" : "ipv6").append(";\n");
      for (String c : blocks) {
        b.append("  route ").append(c).append(" blackhole;\n");
      }
      b.append("}\n");
    }
    b.append("\n# Export a local block as a whole, nothing beneath it.\n");
    b.append("function calico_aggr").append(sfx).append("() {\n");
    for (String c : blocks) {
      b.append("  if (net = ").append(c).append(") then accept;\n");
      b.append("  if (net ~ ").append(c).append(") then reject;\n");
    }
    b.append("}\n");
    return b.toString();
  }
}
