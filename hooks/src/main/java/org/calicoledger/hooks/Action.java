package org.calicoledger.hooks;

import org.calicoledger.model.Hook;

/**
 * What a hook does with a matching event. {@link #deliver} makes one attempt and returns normally only on success;
 * it blocks the calling worker (never another hook's) for at most the action's timeout, and gives up promptly when
 * that thread is interrupted. Implementations are immutable and safe to share.
 */
sealed interface Action permits ExecAction, WebhookAction {

  /** One attempt to hand {@code event} over; {@code attempt} counts from 1. */
  void deliver(String hook, HookEvent event, int attempt) throws DeliveryException, InterruptedException;

  /** {@code exec /path/cmd} or {@code webhook https://...}, for logs and tables. */
  String describe();

  static Action of(Hook.Spec spec) {
    if (spec.exec() != null) {
      return ExecAction.of(spec.exec());
    }
    return WebhookAction.of(spec.webhook());
  }
}
