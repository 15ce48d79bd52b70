package org.calicoledger.bench;

import java.util.List;

/** One benchmark: measures ours and its anchor in the same run and returns table rows. */
interface Benchmark {
  String name();

  /** Whether {@code bin/bench FILTER} runs it: by default when its name contains FILTER (every one for ""). */
  default boolean selectedBy(String filter) {
    return name().contains(filter);
  }

  List<Row> run() throws Exception;
}
