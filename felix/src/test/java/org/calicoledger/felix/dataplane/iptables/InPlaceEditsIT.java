package org.calicoledger.felix.dataplane.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.felix.testing.Netns;
import org.junit.jupiter.api.Test;

/**
 * The in-place chain edits of {@link IptablesScript} ({@code -D chain N}, {@code -I chain N}, {@code -A}) against the
 * real {@code iptables-restore} in a namespace of the test's own: rule numbers in one restore refer to the chain as
 * the lines before them left it. Random chains are edited 150 times by inserts, deletes and replacements in runs,
 * each change diffed against the record of the last one only (as the part does between resyncs), and after each
 * restore the kernel's {@code iptables-save} must hold exactly the model's rules in order.
 */
class InPlaceEditsIT {
  @Test
  void randomEditsLeaveTheKernelEqualToTheModel() {
    try (Netns lab = new Netns()) {
      String ns = lab.add("edits");
      HostCommands cmd = Netns.in(ns);
      Random r = new Random(11);
      List<List<Rule>> chains = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          rules.add(rule(r));
        }
        chains.add(rules);
      }
      TableModel before = model(chains);
      cmd.must(IptablesScript.diff(before, ActualTable.parse("")), "iptables-restore", "--noflush");
      int inPlace = 0;
      for (int step = 0; step < 150; step++) {
        for (List<Rule> rules : chains) {
          int at = r.nextInt(rules.size() + 1);
          int del = Math.min(r.nextInt(3), rules.size() - at);
          int ins = r.nextInt(3);
          for (int k = 0; k < del; k++) {
            rules.remove(at);
          }
          for (int k = 0; k < ins; k++) {
            rules.add(at + k, rule(r));
          }
        }
        TableModel after = model(chains);
        String script = IptablesScript.diff(after, ActualTable.of(before));
        if (script.contains("\n-D ") || script.contains("\n-I ")) {
          inPlace++;
        }
        if (!script.isEmpty()) {
          cmd.must(script, "iptables-restore", "--noflush");
        }
        ActualTable kernel = ActualTable.parse(cmd.must(null, "iptables-save", "-t", "filter").out());
        for (Chain c : after.chains()) {
          assertThat(kernel.owned().get(c.name())).as("step %d, %s after\n%s", step, c.name(), script)
              .isEqualTo(c.hashes());
        }
        before = after;
      }
      assertThat(inPlace).as("steps edited in place").isGreaterThan(100);
    }
  }

  private static Rule rule(Random r) {
    return Rule.of("-s 10.0." + r.nextInt(256) + "." + r.nextInt(256) + "/32", "-j RETURN");
  }

  private static TableModel model(List<List<Rule>> chains) {
    List<Chain> out = new ArrayList<>();
    for (int c = 0; c < chains.size(); c++) {
      out.add(new Chain("cali-edit-" + c, chains.get(c)));
    }
    return TableModel.of("filter", out, List.of());
  }
}
