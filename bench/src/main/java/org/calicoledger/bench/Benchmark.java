package org.calicoledger.bench;

import java.util.List;

/** One benchmark: measures ours and its anchor in the same run and returns table rows. */
interface Benchmark {
  String name();

  List<Row> run() throws Exception;
}
