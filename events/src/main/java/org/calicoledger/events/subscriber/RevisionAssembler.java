package org.calicoledger.events.subscriber;

import java.util.ArrayList;
import java.util.List;
import org.calicoledger.events.proto.ChangeEvent;

/**
 * Collects the events of calico.changes into whole revision groups. A revision's events are contiguous on the topic
 * and carry positions 0..count-1; the group is complete when all of them are held. Events at or before the last
 * completed revision are dropped (a re-read after a restart), and so is a repeated position. A revision that starts
 * before the previous one completed means the log broke its own rule: that is a {@link CorruptChangeLogException}, not
 * something to paper over, because applying half a transaction would show consumers a state etcd never had.
 */
final class RevisionAssembler {
  private long lastComplete;
  private long current = -1;
  private int count;
  private ChangeEvent[] held;
  private int have;

  RevisionAssembler(long lastComplete) {
    this.lastComplete = lastComplete;
  }

  /** The group {@code e} completes, or null. */
  List<ChangeEvent> offer(ChangeEvent e, long offset) {
    long rev = e.getRevision();
    if (rev <= lastComplete) {
      return null;
    }
    if (held != null && rev != current) {
      throw new CorruptChangeLogException("calico.changes offset " + offset + ": revision " + rev
          + " starts while revision " + current + " has only " + have + " of its " + count + " events");
    }
    if (e.getCount() <= 0 || e.getPosition() < 0 || e.getPosition() >= e.getCount()) {
      throw new CorruptChangeLogException("calico.changes offset " + offset + ": revision " + rev + " has position "
          + e.getPosition() + " of count " + e.getCount());
    }
    if (held == null) {
      current = rev;
      count = e.getCount();
      held = new ChangeEvent[count];
      have = 0;
    } else if (e.getCount() != count) {
      throw new CorruptChangeLogException("calico.changes offset " + offset + ": revision " + rev + " says count "
          + e.getCount() + " after " + count);
    }
    if (held[e.getPosition()] == null) {
      held[e.getPosition()] = e;
      have++;
    }
    if (have < count) {
      return null;
    }
    List<ChangeEvent> group = new ArrayList<>(count);
    for (ChangeEvent x : held) {
      group.add(x);
    }
    held = null;
    lastComplete = rev;
    return group;
  }

  /** Whether a revision is partly held. */
  boolean pending() {
    return held != null;
  }
}
