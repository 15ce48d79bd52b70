package org.calicoledger.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/** Closed-loop load: N workers each repeat their operation as fast as it completes, for a fixed time. */
final class Load {
  private Load() {}

  /** One worker's operation, repeated until time is up. */
  interface Operation {
    void run() throws Exception;
  }

  /** Runs {@code workers} workers (worker i repeats {@code operation.apply(i)}) for {@code duration}; returns ops/s. */
  static double opsPerSecond(int workers, Duration duration, IntFunction<Operation> operation) throws Exception {
    LongAdder ops = new LongAdder();
    long end = System.nanoTime() + duration.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        Operation op = operation.apply(w);
        fs.add(pool.submit(() -> {
          while (System.nanoTime() < end) {
            op.run();
            ops.increment();
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return ops.sum() / (duration.toNanos() / 1e9);
  }
}
