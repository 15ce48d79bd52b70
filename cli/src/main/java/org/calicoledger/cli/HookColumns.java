package org.calicoledger.cli;

import java.util.List;
import java.util.function.Function;
import org.calicoledger.model.Hook;

/** The {@code get hooks} table: what each hook matches and what it does. */
final class HookColumns {
  private HookColumns() {}

  static List<Tables.Column> columns(Tables.Column name, boolean wide) {
    Tables.Column kinds = match("KINDS", m -> join(m.kinds()));
    Tables.Column ops = match("OPERATIONS", m -> join(m.operations()));
    Tables.Column field = match("CHANGEDFIELD", m -> dash(m.changedField()));
    Tables.Column action = new Tables.Column("ACTION", r -> action((Hook) r));
    if (!wide) {
      return List.of(name, kinds, ops, field, action);
    }
    return List.of(name, kinds, match("NAMES", m -> any(m.name())), match("NAMESPACES", m -> any(m.namespace())), ops,
        field, action,
        new Tables.Column("ATTEMPTS", r -> {
          Hook.Retry retry = ((Hook) r).withDefaults().spec().retry();
          return retry.attempts() + " (backoff " + retry.backoff() + " to " + retry.maxBackoff() + ")";
        }),
        new Tables.Column("STARTFROM", r -> ((Hook) r).withDefaults().spec().startFrom()));
  }

  /** {@code exec /path/cmd} or {@code webhook URL}. */
  static String action(Hook h) {
    if (h.spec().exec() != null) {
      return "exec " + h.spec().exec().command();
    }
    return h.spec().webhook() == null ? "-" : "webhook " + h.spec().webhook().url();
  }

  private static Tables.Column match(String heading, Function<Hook.Match, String> f) {
    return new Tables.Column(heading, r -> {
      Hook.Match m = ((Hook) r).spec().match();
      return f.apply(m == null ? new Hook.Match(null, null, null, null, null) : m);
    });
  }

  private static String join(List<String> l) {
    return l == null || l.isEmpty() ? "*" : String.join(",", l);
  }

  private static String any(String glob) {
    return glob == null || glob.isEmpty() ? "*" : glob;
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
