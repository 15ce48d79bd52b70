package org.calicoledger.bird.wire;

/**
 * One malformed path attribute found in an UPDATE and what RFC 7606 asks the receiver to do about it.
 *
 * @param typeCode the attribute's type code
 * @param action {@link ErrorAction#ATTRIBUTE_DISCARD} or {@link ErrorAction#TREAT_AS_WITHDRAW}
 * @param reason what was wrong, for the log
 */
public record AttributeError(int typeCode, ErrorAction action, String reason) {}
