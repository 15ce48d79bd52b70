package org.calicoledger.store;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * One-line logging to stderr through java.util.logging, where gRPC, jetcd and Kafka (via SLF4J) and our own
 * {@link System.Logger}s all end up. {@code CALICO_LOG_LEVEL} (error, warning, info, debug) overrides the default for
 * our loggers; libraries log warnings and errors only, unless the level is debug or trace.
 */
public final class Logging {
  private Logging() {}

  public static void configure(String defaultLevel) {
    String wanted = System.getenv().getOrDefault("CALICO_LOG_LEVEL", defaultLevel).toLowerCase(Locale.ROOT);
    Level level = switch (wanted) {
      case "error", "severe" -> Level.SEVERE;
      case "warning", "warn" -> Level.WARNING;
      case "debug", "fine" -> Level.FINE;
      case "trace", "finest" -> Level.FINEST;
      case "off", "none" -> Level.OFF;
      default -> Level.INFO;
    };
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    // Kafka's broker code calls the Log4j 2 API, which complains on stderr when no Log4j implementation is present:
    // give it its own simple logger, which only reports errors.
    System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    ConsoleHandler h = new ConsoleHandler();
    h.setFormatter(new SimpleFormatter());
    h.setLevel(level);
    root.addHandler(h);
    root.setLevel(level.intValue() <= Level.FINE.intValue() ? level : max(level, Level.WARNING));
    for (String ours : OURS) {
      Logger l = Logger.getLogger(ours);
      l.setLevel(level);
      KEEP.add(l);
    }
  }

  /** Our logger names: packages, and the short names daemons log under. */
  private static final String[] OURS = {"org.calicoledger", "calico-journal", "store", "calico-node", "calicoctl", "felix"};
  // JUL keeps loggers weakly: hold the configured ones
  private static final java.util.List<Logger> KEEP = new java.util.ArrayList<>();

  private static Level max(Level a, Level b) {
    return a.intValue() >= b.intValue() ? a : b;
  }
}
