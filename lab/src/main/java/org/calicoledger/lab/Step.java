package org.calicoledger.lab;

/**
 * One step of the seed's walk-through. A step runs against a {@link Walk} whose cluster has pods {@code pod-1} and
 * {@code pod-2} on every node, records its checks on the {@link Walk.Recorder} (narrating what it checks and sees),
 * and leaves the cluster in the state the next step expects (steps run in {@link Scenario#STEPS} order).
 */
public interface Step {
  int number();

  String title();

  /** Runs the step; an exception ends it and is recorded as a failed check by {@link Scenario}. */
  void run(Walk walk, Walk.Recorder r) throws Exception;
}
