package org.calicoledger.model.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Recursive descent over the grammar in {@link Selector}, one method per precedence level ({@code parseOr},
 * {@code parseAnd}, {@code parseUnary}, {@code parsePrimary}), reading characters directly rather than a token list:
 * Calico's tokenizer is context-sensitive anyway (after a key, {@code in} is an operator; elsewhere it is a key), and
 * working on the text gives every error an exact column.
 *
 * <p>What must stay true: the set of accepted strings equals Calico's (apart from the stricter key rule and the
 * nesting limit), because a selector Calico stores must load here and one we accept must load in Calico. The order of
 * the prefix checks in {@link #parsePrimary} and {@link #parseOperator} mirrors Calico's tokenizer for that reason.
 *
 * <p>Only parentheses recurse; {@code &&}, {@code ||} and {@code !} chains are loops. Nesting is capped at
 * {@value #MAX_NESTING} so hostile input fails with a parse error instead of a {@link StackOverflowError}.
 */
final class SelectorParser {
  static final int MAX_NESTING = 200;

  private final String text;
  private int pos;
  private int nesting;

  SelectorParser(String text) {
    this.text = Objects.requireNonNull(text, "selector text");
  }

  Selector parse() {
    skipSpace();
    if (atEnd()) {
      return new AllSelector();
    }
    Selector result = parseOr(null);
    skipSpace();
    if (!atEnd()) {
      String hint = text.charAt(pos) == ')' ? " (this ')' has no matching '(')" : found();
      throw error(pos, "expected '&&', '||' or the end of the selector" + hint);
    }
    return result;
  }

  /** How {@link CompareSelector} and {@link InSetSelector} print a value: Calico's quote choice, no escapes. */
  static String quote(String value) {
    return value.indexOf('"') >= 0 ? "'" + value + "'" : "\"" + value + "\"";
  }

  /** A value holding both quote characters cannot be written in the language, so no selector may hold one. */
  static String requireQuotable(String value) {
    Objects.requireNonNull(value, "label value");
    if (value.indexOf('"') >= 0 && value.indexOf('\'') >= 0) {
      throw new IllegalArgumentException("label value <" + value + "> holds both ' and \", which no selector string"
          + " literal can express (there are no escapes)");
    }
    return value;
  }

  private Selector parseOr(String after) {
    List<Selector> operands = new ArrayList<>();
    operands.add(parseAnd(after));
    while (skipSpace() && lookingAt("||")) {
      pos += 2;
      operands.add(parseAnd("'||'"));
    }
    return operands.size() == 1 ? operands.get(0) : new OrSelector(operands);
  }

  private Selector parseAnd(String after) {
    List<Selector> operands = new ArrayList<>();
    operands.add(parseUnary(after));
    while (skipSpace() && lookingAt("&&")) {
      pos += 2;
      operands.add(parseUnary("'&&'"));
    }
    return operands.size() == 1 ? operands.get(0) : new AndSelector(operands);
  }

  /** Folds any run of '!' to one or none, and '!(!x)' to x, so the AST never holds a double negation. */
  private Selector parseUnary(String after) {
    boolean negated = false;
    while (skipSpace() && lookingAt("!") && !lookingAt("!=")) {
      negated = !negated;
      pos++;
      after = "'!'";
    }
    Selector operand = parsePrimary(after);
    if (!negated) {
      return operand;
    }
    return operand instanceof NotSelector not ? not.operand() : new NotSelector(operand);
  }

  private Selector parsePrimary(String after) {
    skipSpace();
    int start = pos;
    String context = after == null ? "" : " after " + after;
    if (atEnd()) {
      throw error(pos, "expected a label expression" + context);
    }
    if (lookingAt("(")) {
      if (++nesting > MAX_NESTING) {
        throw error(pos, "expected at most " + MAX_NESTING + " nested parentheses");
      }
      pos++;
      Selector inner = parseOr("'('");
      skipSpace();
      if (!lookingAt(")")) {
        throw error(pos, "expected '&&', '||' or ')' to close the '(' at column " + column(start) + found());
      }
      pos++;
      nesting--;
      return inner;
    }
    if (lookingAt("has(")) {
      pos += 4;
      skipSpace();
      int keyStart = pos;
      String key = readKey();
      if (key.isEmpty()) {
        throw error(pos, "expected a label key inside has()" + found());
      }
      checkKey(key, keyStart);
      expectCloseParen("has(" + key);
      return new HasSelector(key);
    }
    if (lookingAt("all(")) {
      pos += 4;
      expectCloseParen("all(");
      return new AllSelector();
    }
    if (lookingAt("global(")) {
      pos += 7;
      expectCloseParen("global(");
      return new GlobalSelector();
    }
    String key = readKey();
    if (key.isEmpty()) {
      throw error(pos, "expected a label expression" + context + found());
    }
    checkKey(key, start);
    skipSpace();
    return parseOperator(key);
  }

  private Selector parseOperator(String key) {
    int opStart = pos;
    if (lookingAt("==")) {
      pos += 2;
      return new CompareSelector(key, CompareSelector.Op.EQ, readString("'=='"));
    }
    if (lookingAt("!=")) {
      pos += 2;
      return new CompareSelector(key, CompareSelector.Op.NE, readString("'!='"));
    }
    if (lookingAt("contains")) {
      pos += 8;
      return new CompareSelector(key, CompareSelector.Op.CONTAINS, readString("'contains'"));
    }
    if (lookingAt("starts")) {
      pos += 6;
      expectWord("with", "'starts'");
      return new CompareSelector(key, CompareSelector.Op.STARTS_WITH, readString("'starts with'"));
    }
    if (lookingAt("ends")) {
      pos += 4;
      expectWord("with", "'ends'");
      return new CompareSelector(key, CompareSelector.Op.ENDS_WITH, readString("'ends with'"));
    }
    if (lookingAt("not")) {
      pos += 3;
      expectWord("in", "'not'");
      return new InSetSelector(key, readSet("'not in'"), true);
    }
    if (lookingAt("in")) {
      pos += 2;
      return new InSetSelector(key, readSet("'in'"), false);
    }
    throw error(opStart, "expected an operator after label key '" + key
        + "' (==, !=, in, not in, contains, starts with, ends with)" + found());
  }

  private List<String> readSet(String after) {
    skipSpace();
    int open = pos;
    if (!lookingAt("{")) {
      throw error(pos, "expected '{' to start a set of quoted strings after " + after + found());
    }
    pos++;
    List<String> values = new ArrayList<>();
    String where = " in the set opened at column " + column(open);
    while (true) {
      skipSpace();
      if (lookingAt("}")) {
        pos++;
        return values;
      }
      if (!lookingAt("\"") && !lookingAt("'")) {
        throw error(pos, "expected a quoted string or '}'" + where + found());
      }
      values.add(readString(null));
      skipSpace();
      if (lookingAt(",")) {
        pos++;
      } else if (!lookingAt("}")) {
        throw error(pos, "expected ',' or '}'" + where + found());
      }
    }
  }

  /** A string literal runs to the next occurrence of its own quote character; there are no escapes. */
  private String readString(String after) {
    skipSpace();
    if (!lookingAt("\"") && !lookingAt("'")) {
      throw error(pos, "expected a quoted string after " + after + found());
    }
    char quote = text.charAt(pos);
    int close = text.indexOf(quote, pos + 1);
    if (close < 0) {
      throw error(pos, "expected a closing " + quote + " for the string that starts here");
    }
    String value = text.substring(pos + 1, close);
    pos = close + 1;
    return value;
  }

  private String readKey() {
    int start = pos;
    while (!atEnd() && LabelKey.isKeyChar(text.charAt(pos))) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private void checkKey(String key, int start) {
    LabelKey.problem(key).ifPresent(p -> {
      throw error(start, "expected a label key, got '" + key + "': " + p);
    });
  }

  private void expectCloseParen(String opened) {
    skipSpace();
    if (!lookingAt(")")) {
      throw error(pos, "expected ')' after '" + opened + "'" + found());
    }
    pos++;
  }

  private void expectWord(String word, String after) {
    skipSpace();
    if (!lookingAt(word)) {
      throw error(pos, "expected '" + word + "' after " + after + found());
    }
    pos += word.length();
  }

  /** Always true, so loops can skip whitespace in their condition. */
  private boolean skipSpace() {
    while (!atEnd() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
      pos++;
    }
    return true;
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private boolean lookingAt(String s) {
    return text.startsWith(s, pos);
  }

  /** ", found 'x'" naming what sits at the cursor (a whole key-like word, or one character), or "" at the end. */
  private String found() {
    if (atEnd()) {
      return "";
    }
    int end = pos;
    while (end < text.length() && LabelKey.isKeyChar(text.charAt(end))) {
      end++;
    }
    if (end > pos) {
      return ", found '" + text.substring(pos, end) + "'";
    }
    int cp = text.codePointAt(pos);
    if (cp == '"' || cp == '\'') {
      return ", found a quoted string";
    }
    if (Character.isISOControl(cp) || Character.isWhitespace(cp)) {
      return String.format(", found U+%04X (only spaces and tabs separate tokens)", cp);
    }
    return ", found '" + new String(Character.toChars(cp)) + "'";
  }

  private int column(int index) {
    return text.codePointCount(0, index) + 1;
  }

  private SelectorParseException error(int index, String expected) {
    return new SelectorParseException(text, column(index), expected);
  }
}
