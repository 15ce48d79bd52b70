package org.calicoledger.confd.render;

/** The image cannot be rendered for this node; the message names the resource, the field, the value and the fix. */
public final class RenderException extends RuntimeException {
  public RenderException(String message) {
    super(message);
  }
}
