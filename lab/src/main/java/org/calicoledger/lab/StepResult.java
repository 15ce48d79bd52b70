package org.calicoledger.lab;

import java.util.List;

/** The outcome of one walk-through step: its checks in order and how long it took. Passed when it has checks and all passed. */
public record StepResult(int step, String title, List<Check> checks, long millis) {
  public StepResult {
    checks = List.copyOf(checks);
  }

  public boolean passed() {
    return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
  }

  /** The check whose text starts with {@code prefix}, or an exception listing the step's checks. */
  public Check check(String prefix) {
    return checks.stream().filter(c -> c.check().startsWith(prefix)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("step " + step + " has no check starting '" + prefix + "': "
            + checks.stream().map(Check::check).toList()));
  }
}
