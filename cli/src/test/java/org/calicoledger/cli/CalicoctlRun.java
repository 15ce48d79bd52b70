package org.calicoledger.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** One calicoctl run in this JVM, as a user runs it from a shell: its exit code and what it printed. */
record CalicoctlRun(int code, String out, String err) {
  /** Runs {@code calicoctl args...} with {@code env} as its environment (no stdin). */
  static CalicoctlRun of(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Calicoctl.run(args, env, new PrintWriter(out), new PrintWriter(err), null);
    return new CalicoctlRun(code, out.toString(), err.toString());
  }
}
