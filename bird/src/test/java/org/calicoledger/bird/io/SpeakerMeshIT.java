package org.calicoledger.bird.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.calicoledger.bird.testing.BirdProcess;
import org.calicoledger.bird.testing.MeshConvergence;
import org.calicoledger.bird.testing.PeerNamespace;
import org.calicoledger.bird.wire.Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three of our speakers in an iBGP full mesh on port 179 of three addresses of the test JVM's own namespace
 * (10.98.0.1-3 on {@code lo}), peered as Calico peers nodes (passive towards the higher address): each learns the
 * others' blocks with the right next hop; a block moved and a speaker stopped are seen by the others.
 */
class SpeakerMeshIT {
  private final List<BgpSpeaker> speakers = new ArrayList<>();
  private final List<RecordingListener> learned = new ArrayList<>();
  private final List<String> addrs = List.of("10.98.0.1", "10.98.0.2", "10.98.0.3");

  @AfterEach
  void cleanUp() throws Exception {
    speakers.forEach(BgpSpeaker::close);
    for (String a : addrs) {
      new ProcessBuilder("ip", "addr", "del", a + "/32", "dev", "lo").start().waitFor();
    }
  }

  @Test
  void threeSpeakersAgreeOnRoutes() throws Exception {
    PeerNamespace.class.getName(); // the JVM runs in the bird ITs' own namespace (see netns-jvm)
    if (System.getenv("BGP_IT_NETNS") == null) {
      throw new IllegalStateException("run inside bird's IT namespace (Failsafe jvm netns-jvm/bin/java)");
    }
    for (String a : addrs) {
      PeerNamespace.must("ip", "addr", "add", a + "/32", "dev", "lo");
    }
    for (int i = 0; i < 3; i++) {
      RecordingListener l = new RecordingListener();
      learned.add(l);
      String me = addrs.get(i);
      BgpSpeaker s = BgpSpeaker.start(new BgpSpeaker.Settings(me, 179, 64512, Prefix.parse(me).lo(), -1, me, null,
          Duration.ofSeconds(9), Duration.ofSeconds(1), 120), l);
      speakers.add(s);
      s.setPeers(MeshConvergence.meshPeers(me, addrs));
      s.setLocalRoutes(Set.of(Prefix.parse("192.168." + i + ".0/26")));
    }
    assertThat(BirdProcess.await(Duration.ofSeconds(20), () -> learned.stream().allMatch(l -> l.routes.size() == 2)))
        .as("%s", learned.stream().map(l -> l.routes).toList()).isTrue();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (i != j) {
          assertThat(learned.get(i).routes).containsEntry("192.168." + j + ".0/26", addrs.get(j));
        }
      }
      assertThat(speakers.get(i).status()).allMatch(PeerStatus::up);
    }
    // a block moves from speaker 0 to speaker 2
    speakers.get(0).setLocalRoutes(Set.of());
    speakers.get(2).setLocalRoutes(Set.of(Prefix.parse("192.168.2.0/26"), Prefix.parse("192.168.0.0/26")));
    assertThat(BirdProcess.await(Duration.ofSeconds(10), () -> "10.98.0.3".equals(
        learned.get(0).routes.get("192.168.0.0/26")) && "10.98.0.3".equals(learned.get(1).routes.get(
        "192.168.0.0/26")))).as("%s", learned.stream().map(l -> l.routes).toList()).isTrue();
    // speaker 2 stops: its routes go from the others
    speakers.remove(2).close();
    assertThat(BirdProcess.await(Duration.ofSeconds(10), () -> learned.get(0).routes.keySet().equals(
        Set.of("192.168.1.0/26")) && learned.get(1).routes.isEmpty())).as("%s",
        learned.stream().map(l -> l.routes).toList()).isTrue();
  }
}
