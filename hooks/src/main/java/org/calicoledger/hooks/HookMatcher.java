package org.calicoledger.hooks;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.calicoledger.events.history.FieldChange;
import org.calicoledger.events.history.HistoryEntry;
import org.calicoledger.model.Hook;
import org.calicoledger.model.Kind;

/**
 * A hook's {@code match} compiled once: does an event of the change log concern this hook?
 *
 * <p>Rules: only events of resources (events with a kind) match; each part left out of the match accepts everything,
 * except that changes of Hooks themselves only match a hook that lists the kind {@code Hook};
 * {@code name} and {@code namespace} are globs ({@code *} any run, {@code ?} one character) over the whole text, the
 * namespace of a cluster-scoped resource being {@code ""}; {@code changedField} matches when that field, a field
 * inside it, or a field containing it differs between the event's previous and new value (field paths as
 * {@link FieldChange} computes them: on a create or delete every field present counts as changed). Immutable.
 */
record HookMatcher(Set<String> kinds, Pattern name, Pattern namespace, Set<String> operations, String changedField) {
  private static final String HOOK_KIND = Kind.HOOK.kindName();

  static HookMatcher of(Hook.Match m) {
    if (m == null) {
      return new HookMatcher(Set.of(), null, null, Set.of(), null);
    }
    return new HookMatcher(m.kinds() == null ? Set.of() : Set.copyOf(m.kinds()), glob(m.name()), glob(m.namespace()),
        m.operations() == null ? Set.of() : Set.copyOf(m.operations()),
        m.changedField() == null || m.changedField().isEmpty() ? null : m.changedField());
  }

  /** {@code *} and {@code ?} as wildcards, everything else literal; null (match all) for an absent glob. */
  static Pattern glob(String glob) {
    if (glob == null || glob.isEmpty() || glob.equals("*")) {
      return null;
    }
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char ch : glob.toCharArray()) {
      if (ch == '*' || ch == '?') {
        if (literal.length() > 0) {
          re.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        re.append(ch == '*' ? ".*" : ".");
      } else {
        literal.append(ch);
      }
    }
    if (literal.length() > 0) {
      re.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  boolean matches(HistoryEntry h) {
    var e = h.event();
    if (e.getKind().isEmpty()) {
      return false;
    }
    if (kinds.isEmpty() ? e.getKind().equals(HOOK_KIND) : !kinds.contains(e.getKind())) {
      return false;
    }
    if (!operations.isEmpty() && !operations.contains(h.operation())) {
      return false;
    }
    if (name != null && !name.matcher(e.getName()).matches()) {
      return false;
    }
    if (namespace != null && !namespace.matcher(e.getNamespace()).matches()) {
      return false;
    }
    return changedField == null || changed(h.changes(), changedField);
  }

  /** Whether {@code path} is {@code field}, inside it, or contains it. */
  static boolean changed(List<FieldChange> changes, String field) {
    for (FieldChange c : changes) {
      if (within(c.path(), field) || within(field, c.path())) {
        return true;
      }
    }
    return false;
  }

  private static boolean within(String path, String outer) {
    return path.equals(outer) || (path.startsWith(outer)
        && (path.charAt(outer.length()) == '.' || path.charAt(outer.length()) == '['));
  }
}
