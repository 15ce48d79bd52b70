package org.calicoledger.felix.dataplane.ipsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.felix.testing.ImageBuilder;
import org.junit.jupiter.api.Test;

/** When the ipsets part lets the iptables part apply at the same time: only member changes of sets it programmed. */
class IpSetsPartTest {
  /** A kernel with no sets; records the commands. */
  static final class Fake extends HostCommands {
    final List<String> commands = new ArrayList<>();

    Fake() {
      super(List.of());
    }

    @Override
    public Result run(String stdin, String... args) {
      commands.add(String.join(" ", args) + (stdin == null ? "" : "\n" + stdin));
      return new Result(0, "", "");
    }
  }

  private static IpSet set(String name, String type, String... members) {
    return new IpSet(name, type, "inet", Set.of(members));
  }

  @Test
  void onlyMemberChangesOfProgrammedSetsMayOverlapTheIptablesPart() {
    Fake k = new Fake();
    IpSetsPart part = new IpSetsPart(k);
    ImageBuilder b = new ImageBuilder();
    b.pool("p", "10.0.0.0/16", true, "Never", "Never");
    part.onImage(b.image());
    part.setExtra(Map.of("cali40wl", set("cali40wl", "hash:net", "10.0.0.1")));
    assertThat(part.mayOverlapNext(false)).as("nothing programmed yet: the sets are new").isFalse();
    part.apply(true);

    part.setExtra(Map.of("cali40wl", set("cali40wl", "hash:net", "10.0.0.1", "10.0.0.2")));
    assertThat(part.mayOverlapNext(false)).as("a member added").isTrue();
    assertThat(part.mayOverlapNext(true)).as("a resync reads the kernel first: in order").isFalse();
    part.apply(false);
    assertThat(k.commands.get(k.commands.size() - 1)).contains("10.0.0.2");

    part.setExtra(Map.of("cali40wl", set("cali40wl", "hash:ip", "10.0.0.1")));
    assertThat(part.mayOverlapNext(false)).as("a type change recreates the set").isFalse();
    part.setExtra(Map.of("cali40wl", set("cali40wl", "hash:net"), "cali40new", set("cali40new", "hash:net")));
    assertThat(part.mayOverlapNext(false)).as("a new set must exist before a rule names it").isFalse();
    part.setExtra(Map.of());
    assertThat(part.mayOverlapNext(false)).as("a set to destroy waits for the rules naming it to go").isFalse();
  }
}
