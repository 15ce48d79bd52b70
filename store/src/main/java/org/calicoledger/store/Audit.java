package org.calicoledger.store;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who makes a write and why. Every write records it under {@code /calico/ledger/v1/audit/<actor>} in the same etcd
 * transaction, so the journal can join it into the events of that revision.
 */
public record Audit(String actor, String reason) {
  public Audit {
    if (actor == null || actor.isBlank()) {
      actor = defaultActor();
    }
    reason = reason == null ? "" : reason;
  }

  public static Audit of(String reason) {
    return new Audit(null, reason);
  }

  /** {@code user@host}, as the person at the keyboard would name themselves. */
  public static String defaultActor() {
    String user = System.getProperty("user.name", "unknown");
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
    return user + "@" + host;
  }
}
