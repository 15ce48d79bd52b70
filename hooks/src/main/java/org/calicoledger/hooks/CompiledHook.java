package org.calicoledger.hooks;

import org.calicoledger.model.Hook;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Validation;

/**
 * A Hook definition made ready to run: defaulted, validated, its match compiled and its action built. Immutable; a
 * worker swaps the whole object when the definition changes, so one event is always handled by one consistent
 * definition per attempt.
 *
 * @param uid the definition's {@code metadata.uid}: a hook deleted and created again under the same name is a new
 *     hook (it does not inherit the old one's position)
 * @param revision the definition's resourceVersion
 */
record CompiledHook(String name, String uid, long revision, Hook hook, HookMatcher matcher, Action action,
    RetryPolicy retry) {

  /** @throws InvalidResourceException when the stored definition breaks a rule (e.g. written around calicoctl) */
  static CompiledHook compile(Hook stored) {
    Hook h = stored.withDefaults();
    Validation.check(h, "Hook(" + h.name() + ")");
    Action action;
    try {
      action = Action.of(h.spec());
    } catch (IllegalArgumentException e) {
      throw new InvalidResourceException("Hook(" + h.name() + ")", "", e.getMessage());
    }
    return new CompiledHook(h.name(), h.metadata().uid() == null ? "" : h.metadata().uid(), h.metadata().revision(),
        h, HookMatcher.of(h.spec().match()), action, RetryPolicy.of(h.spec().retry()));
  }

  boolean matches(HookEvent e) {
    return matcher.matches(e.entry());
  }

  String startFrom() {
    return hook.spec().startFrom();
  }
}
