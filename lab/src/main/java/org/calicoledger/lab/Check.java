package org.calicoledger.lab;

/**
 * One check of a walk-through step: what was checked, whether it held, and what was seen (the evidence: command
 * output, counters, routes), so a reader can judge the result without re-running it.
 */
public record Check(int step, String check, boolean passed, String evidence) {
  public String result() {
    return passed ? "PASS" : "FAIL";
  }
}
