package org.calicoledger.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The seed's walk-through as {@code bin/demo} runs it and the end-to-end tests assert it: pods on every node, then
 * {@link #STEPS} in order. A step that throws is recorded as a failed check with the exception, and the walk goes on
 * (later steps report what they see in whatever state is left).
 */
public final class Scenario {
  /** Steps 1-7 of the walk-through, in order (7, network policy, came with issue #11). */
  public static final List<Step> STEPS = List.of(new SameNodeStep(), new CrossNodeStep(), new NatOutgoingStep(),
      new ModesStep(), new WireguardStep(), new HistoryStep(), new PolicyStep());

  /** Step 8 ({@link HaStep}), run only on the HA infra ({@code bin/demo --ha}): failures while pods ping. */
  public static final Step HA_STEP = new HaStep();

  private Scenario() {}

  /** {@code perNode} pods ({@code pod-1}, {@code pod-2}, ...) on every node, made in parallel through bin/calico. */
  public static void addPods(Walk w, int perNode) throws Exception {
    List<Node> nodes = w.cluster.nodes();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, nodes.size() * perNode));
    try {
      List<Future<String>> fs = new ArrayList<>();
      for (Node n : nodes) {
        for (int p = 1; p <= perNode; p++) {
          String pod = "pod-" + p;
          fs.add(pool.submit(() -> n.name + "/" + pod + " " + n.addPod(pod)));
        }
      }
      List<String> made = new ArrayList<>();
      for (Future<String> f : fs) {
        try {
          made.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        }
      }
      w.say("pods (bin/calico ADD through each node's agent): " + String.join(", ", made));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Runs one step, turning an exception into a failed check. */
  public static StepResult run(Walk w, Step s) {
    Walk.Recorder r = w.step(s.number(), s.title());
    try {
      s.run(w, r);
    } catch (Exception | AssertionError e) {
      r.check("step " + s.number() + " ran to its end", false, e.toString());
    }
    return r.done();
  }

  /** Runs every step in order; {@code after} sees each result as it is done. */
  public static List<StepResult> runAll(Walk w, Consumer<StepResult> after) {
    return runAll(w, s -> true, after);
  }

  /** Runs the steps {@code which} accepts, in order; {@code after} sees each result as it is done. */
  public static List<StepResult> runAll(Walk w, java.util.function.Predicate<Step> which,
      Consumer<StepResult> after) {
    List<StepResult> results = new ArrayList<>();
    for (Step s : STEPS) {
      if (!which.test(s)) {
        continue;
      }
      StepResult res = run(w, s);
      after.accept(res);
      results.add(res);
    }
    return results;
  }
}
