package org.calicoledger.store;

import java.util.List;
import org.calicoledger.model.Resource;

/** The resources of a list, in key order, read at {@code revision}. */
public record Listing<T extends Resource>(List<T> items, long revision) {}
