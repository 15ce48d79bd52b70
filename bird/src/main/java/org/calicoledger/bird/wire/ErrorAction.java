package org.calicoledger.bird.wire;

/**
 * RFC 7606's responses to a malformed attribute, mildest first: discard the attribute and use the route, withdraw
 * the routes of the UPDATE ("treat-as-withdraw"), or reset the session (carried by {@link MalformedMessageException}).
 */
public enum ErrorAction {
  NONE,
  ATTRIBUTE_DISCARD,
  TREAT_AS_WITHDRAW,
  SESSION_RESET
}
