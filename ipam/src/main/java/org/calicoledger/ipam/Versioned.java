package org.calicoledger.ipam;

/**
 * A value as it was read from (or written to) etcd, with the key's mod revision: the revision a compare-and-swap
 * must find unchanged for a write based on this value to land. Revision 0 means "the key was absent".
 */
public record Versioned<T>(T value, long revision) {}
