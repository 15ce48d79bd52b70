package org.calicoledger.model.selector;

/**
 * Selector text that is not a valid Calico selector. The message reads
 * {@code selector "has(a) &&": column 10: expected a label expression after '&&'}.
 *
 * <p>Columns are 1-based and count Unicode code points of the original text; a column one past the last character
 * means the text ended too early. The quoted text in the message escapes {@code "}, {@code \} and control characters
 * so that it stays on one line; {@link #selector()} returns it unescaped.
 */
public final class SelectorParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String selector;
  private final int column;
  private final String expected;

  SelectorParseException(String selector, int column, String expected) {
    super("selector " + quoted(selector) + ": column " + column + ": " + expected);
    this.selector = selector;
    this.column = column;
    this.expected = expected;
  }

  /** The text that failed to parse, exactly as given. */
  public String selector() {
    return selector;
  }

  /** 1-based column, in code points, where parsing stopped. */
  public int column() {
    return column;
  }

  /** What the parser wanted at {@link #column()}, without the selector and column prefix. */
  public String expected() {
    return expected;
  }

  private static String quoted(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    text.codePoints().forEach(cp -> {
      switch (cp) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(cp)) {
            out.append(String.format("\\u%04x", cp));
          } else {
            out.appendCodePoint(cp);
          }
        }
      }
    });
    return out.append('"').toString();
  }
}
