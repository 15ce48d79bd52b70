package org.calicoledger.model.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rejected input names the selector, the 1-based column and what was expected there. */
class SelectorParseExceptionTest {

  private static SelectorParseException failure(String text) {
    SelectorParseException e = catchThrowableOfType(SelectorParseException.class, () -> Selector.parse(text));
    assertThat(e).as("parse should have rejected <%s>", text).isNotNull();
    return e;
  }

  @Test
  void messageHasTheDocumentedShape() {
    SelectorParseException e = failure("has(a) &&");
    assertThat(e).hasMessage("selector \"has(a) &&\": column 10: expected a label expression after '&&'");
    assertThat(e.column()).isEqualTo(10);
    assertThat(e.selector()).isEqualTo("has(a) &&");
    assertThat(e.expected()).isEqualTo("expected a label expression after '&&'");
  }

  static Stream<Arguments> badSelectors() {
    return Stream.of(
        // unterminated strings point at the opening quote
        Arguments.of("a == \"b", 6, "expected a closing \" for the string that starts here"),
        Arguments.of("a in {'x', 'y}", 12, "expected a closing ' for the string that starts here"),
        Arguments.of("\"FOO'", 1, "expected a label expression, found a quoted string"),
        // missing operands
        Arguments.of("has(a) || ", 11, "expected a label expression after '||'"),
        Arguments.of("!", 2, "expected a label expression after '!'"),
        Arguments.of("()", 2, "expected a label expression after '(', found ')'"),
        Arguments.of("a == \"b\" && %", 13, "expected a label expression after '&&', found '%'"),
        Arguments.of("a ==", 5, "expected a quoted string after '=='"),
        Arguments.of("b == b", 6, "expected a quoted string after '==', found 'b'"),
        Arguments.of("a starts 'x'", 10, "expected 'with' after 'starts', found a quoted string"),
        Arguments.of("foo in \"\"", 8, "expected '{' to start a set of quoted strings after 'in', found a quoted string"),
        Arguments.of("has()", 5, "expected a label key inside has(), found ')'"),
        // unknown or missing operators
        Arguments.of("a = 'x'", 3,
            "expected an operator after label key 'a' (==, !=, in, not in, contains, starts with, ends with), found '='"),
        Arguments.of("a ~= 'x'", 3,
            "expected an operator after label key 'a' (==, !=, in, not in, contains, starts with, ends with), found '~'"),
        Arguments.of("a b", 3,
            "expected an operator after label key 'a' (==, !=, in, not in, contains, starts with, ends with), found 'b'"),
        Arguments.of("a ", 3,
            "expected an operator after label key 'a' (==, !=, in, not in, contains, starts with, ends with)"),
        Arguments.of("a not 'x'", 7, "expected 'in' after 'not', found a quoted string"),
        Arguments.of("has(a) & has(b)", 8, "expected '&&', '||' or the end of the selector, found '&'"),
        // bad keys point at the start of the key
        Arguments.of("has(a//b)", 5, "expected a label key, got 'a//b': a key holds at most one '/'"),
        Arguments.of("has(x) && -a == 'v'", 11, "expected a label key, got '-a': the name part must start and end with a"
            + " letter or digit and hold only letters, digits, '-', '_' and '.'"),
        Arguments.of("Example.com/x == 'v'", 1,
            "expected a label key, got 'Example.com/x': the prefix before '/' must be a lowercase DNS subdomain such as"
                + " example.com"),
        Arguments.of("has(example.com/)", 5, "expected a label key, got 'example.com/': the name part is empty"),
        Arguments.of("has(" + "n".repeat(64) + ")", 5,
            "expected a label key, got '" + "n".repeat(64) + "': the name part is longer than 63 characters"),
        // unbalanced parentheses
        Arguments.of("(a == \"foo\"", 12, "expected '&&', '||' or ')' to close the '(' at column 1"),
        Arguments.of("has(a) && (has(b) || (has(c))", 30, "expected '&&', '||' or ')' to close the '(' at column 11"),
        Arguments.of(")", 1, "expected a label expression, found ')'"),
        Arguments.of("has(a))", 7, "expected '&&', '||' or the end of the selector (this ')' has no matching '(')"),
        Arguments.of("has(a b)", 7, "expected ')' after 'has(a', found 'b'"),
        Arguments.of("all(x)", 5, "expected ')' after 'all(', found 'x'"),
        // trailing garbage
        Arguments.of("has(a) has(b)", 8, "expected '&&', '||' or the end of the selector, found 'has'"),
        Arguments.of("a == 'b' 'c'", 10, "expected '&&', '||' or the end of the selector, found a quoted string"),
        // sets
        Arguments.of("foo in {\"\", ||", 13, "expected a quoted string or '}' in the set opened at column 8, found '|'"),
        Arguments.of("a in {'x' 'y'}", 11, "expected ',' or '}' in the set opened at column 6, found a quoted string"),
        Arguments.of("a in {,}", 7, "expected a quoted string or '}' in the set opened at column 6, found ','"),
        // only space and tab separate tokens, as in Calico
        Arguments.of("has(a) &&\nhas(b)", 10,
            "expected a label expression after '&&', found U+000A (only spaces and tabs separate tokens)"));
  }

  @ParameterizedTest
  @MethodSource("badSelectors")
  void reportsColumnAndExpectation(String text, int column, String expected) {
    SelectorParseException e = failure(text);
    assertThat(e.expected()).isEqualTo(expected);
    assertThat(e.column()).isEqualTo(column);
    assertThat(e.getMessage()).startsWith("selector ").contains(": column " + column + ": ").endsWith(expected);
  }

  @Test
  void columnsCountCodePointsNotUtf16Units() {
    // The emoji before the error is one code point but two chars.
    SelectorParseException e = failure("a == '\uD83D\uDE00' &&");
    assertThat(e.column()).isEqualTo(12);
  }

  @Test
  void messageEscapesTheSelectorOntoOneLine() {
    SelectorParseException e = failure("a == \"x\"\n");
    assertThat(e.getMessage()).startsWith("selector \"a == \\\"x\\\"\\n\": column 9: ");
    assertThat(e.selector()).isEqualTo("a == \"x\"\n");
  }

  @Test
  void deepNestingFailsAsAParseErrorNotAStackOverflow() {
    String deep = "(".repeat(100_000) + "all()" + ")".repeat(100_000);
    SelectorParseException e = failure(deep);
    assertThat(e.column()).isEqualTo(SelectorParser.MAX_NESTING + 1);
    assertThat(e.expected()).isEqualTo("expected at most 200 nested parentheses");
    String fine = "(".repeat(SelectorParser.MAX_NESTING) + "all()" + ")".repeat(SelectorParser.MAX_NESTING);
    assertThat(Selector.parse(fine)).isEqualTo(new AllSelector());
  }

  @Test
  void nullTextIsAProgrammingErrorNotAParseError() {
    assertThat(catchThrowableOfType(NullPointerException.class, () -> Selector.parse(null)))
        .hasMessageContaining("selector text");
  }
}
