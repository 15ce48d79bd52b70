package org.calicoledger.model.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.calicoledger.model.selector.CompareSelector.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per operator and per precedence rule; expectations taken from Calico's own parser tests. */
class SelectorTest {
  private static final Map<String, String> NONE = Map.of();

  private static Selector sel(String text) {
    return Selector.parse(text);
  }

  private static Selector eq(String key, String value) {
    return new CompareSelector(key, Op.EQ, value);
  }

  private static Selector has(String key) {
    return new HasSelector(key);
  }

  @Test
  void equalsNeedsThePresentLabelWithThatValue() {
    Selector s = sel("a == \"b\"");
    assertThat(s).isEqualTo(eq("a", "b"));
    assertThat(s.matches(Map.of("a", "b"))).isTrue();
    assertThat(s.matches(Map.of("a", "b", "c", "d"))).isTrue();
    assertThat(s.matches(NONE)).isFalse();
    assertThat(s.matches(Map.of("a", "c"))).isFalse();
    assertThat(s.matches(Map.of("c", "b"))).isFalse();
  }

  @Test
  void singleAndDoubleQuotesGiveTheSameSelector() {
    assertThat(sel("a == 'b'")).isEqualTo(sel("a == \"b\"")).hasSameHashCodeAs(sel("a == \"b\""));
    assertThat(sel("a == '\"'").matches(Map.of("a", "\""))).isTrue();
    assertThat(sel("a == \"'\"").matches(Map.of("a", "'"))).isTrue();
  }

  @Test
  void notEqualsAlsoMatchesWhenTheLabelIsAbsent() {
    Selector s = sel("a != 'b'");
    assertThat(s).isEqualTo(new CompareSelector("a", Op.NE, "b"));
    assertThat(s.matches(NONE)).isTrue();
    assertThat(s.matches(Map.of("a", "c"))).isTrue();
    assertThat(s.matches(Map.of("a", "b"))).isFalse();
  }

  @Test
  void inNeedsAMemberValueAndNotInAcceptsAbsence() {
    Selector in = sel("a in {\"'\", '\"', \"c\"}");
    assertThat(in).isEqualTo(new InSetSelector("a", List.of("c", "\"", "'"), false));
    assertThat(in.matches(Map.of("a", "c"))).isTrue();
    assertThat(in.matches(Map.of("a", "\""))).isTrue();
    assertThat(in.matches(Map.of("a", "'"))).isTrue();
    assertThat(in.matches(Map.of("a", "e"))).isFalse();
    assertThat(in.matches(NONE)).isFalse();

    Selector notIn = sel("a not in {'d', 'e'}");
    assertThat(notIn.matches(NONE)).isTrue();
    assertThat(notIn.matches(Map.of("a", "a"))).isTrue();
    assertThat(notIn.matches(Map.of("a", "e"))).isFalse();
  }

  @Test
  void setsAreSortedDeduplicatedAndMayBeEmptyOrEndInAComma() {
    assertThat(sel("a in {\"z\", \"z\", \"x\", \"y\", \"x\", \"a\"}")).hasToString("a in {\"a\", \"x\", \"y\", \"z\"}");
    assertThat(sel("a in {'b', 'a',}")).isEqualTo(sel("a in {\"a\",\"b\"}"));
    assertThat(sel("a notin{}")).hasToString("a not in {}");
    assertThat(sel("a in {}").matches(Map.of("a", ""))).isFalse();
    assertThat(sel("a not in {}").matches(Map.of("a", ""))).isTrue();
  }

  @Test
  void setMembersPrintInCodePointOrderLikeGo() {
    // UTF-16 order would put U+FFFD before U+1F600; Go's UTF-8 byte order (code-point order) puts it after.
    assertThat(sel("a in {'\uD83D\uDE00', '\uFFFD'}")).hasToString("a in {\"\uFFFD\", \"\uD83D\uDE00\"}");
  }

  @Test
  void containsStartsWithAndEndsWithNeedThePresentLabel() {
    Selector contains = sel("a contains \"a\"");
    assertThat(contains.matches(Map.of("a", "bab"))).isTrue();
    assertThat(contains.matches(Map.of("a", "b"))).isFalse();
    assertThat(contains.matches(Map.of("b", "aaa"))).isFalse();

    Selector starts = sel("a starts with 'a'");
    assertThat(starts).isEqualTo(sel("a startswith \"a\"")).isEqualTo(new CompareSelector("a", Op.STARTS_WITH, "a"));
    assertThat(starts.matches(Map.of("a", "abb"))).isTrue();
    assertThat(starts.matches(Map.of("a", "baa"))).isFalse();
    assertThat(starts.matches(NONE)).isFalse();

    Selector ends = sel("a ends  with 'a'");
    assertThat(ends).isEqualTo(sel("a endswith 'a'")).hasToString("a ends with \"a\"");
    assertThat(ends.matches(Map.of("a", "bba"))).isTrue();
    assertThat(ends.matches(Map.of("a", "aab"))).isFalse();
    assertThat(sel("a contains ''").matches(Map.of("a", ""))).isTrue();
    assertThat(sel("a contains ''").matches(NONE)).isFalse();
  }

  @Test
  void hasAndNotHasLookOnlyAtPresence() {
    assertThat(sel("has(a)").matches(Map.of("a", ""))).isTrue();
    assertThat(sel("has( a\t)").matches(Map.of("b", "a"))).isFalse();
    assertThat(sel("!has(a)")).isEqualTo(new NotSelector(has("a")));
    assertThat(sel("!has(a)").matches(Map.of("b", "b"))).isTrue();
    assertThat(sel("! has(a)").matches(Map.of("a", "b"))).isFalse();
  }

  @Test
  void nullValueCountsAsAbsent() {
    Map<String, String> labels = new java.util.HashMap<>();
    labels.put("a", null);
    assertThat(sel("has(a)").matches(labels)).isFalse();
    assertThat(sel("a != 'x'").matches(labels)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t", "all()", " all( ) ", " (all() )", "global()", " global()"})
  void emptyAllAndGlobalMatchEverything(String text) {
    Selector s = sel(text);
    assertThat(s.matches(NONE)).isTrue();
    assertThat(s.matches(Map.of("a", "b"))).isTrue();
    assertThat(s).isIn(new AllSelector(), new GlobalSelector());
  }

  @Test
  void emptyTextIsAllAndPrintsAsAll() {
    assertThat(sel("")).isEqualTo(new AllSelector()).hasToString("all()");
    assertThat(sel("global()")).isNotEqualTo(new AllSelector()).hasToString("global()");
  }

  @Test
  void andBindsTighterThanOr() {
    Selector s = sel("a == '1' || b == '1' && c == '1'");
    assertThat(s).isEqualTo(new OrSelector(List.of(eq("a", "1"), new AndSelector(List.of(eq("b", "1"), eq("c", "1"))))));
    assertThat(s.matches(Map.of("a", "1"))).isTrue();
    assertThat(s.matches(Map.of("b", "1"))).isFalse();
    assertThat(sel("a == '1' && b == '1' || c == '1'").matches(Map.of("c", "1"))).isTrue();
  }

  @Test
  void notBindsTighterThanAndAndCoversOneWholeComparison() {
    assertThat(sel("!a == 'x' && has(b)"))
        .isEqualTo(new AndSelector(List.of(new NotSelector(eq("a", "x")), has("b"))));
    assertThat(sel("!has(a) || has(b)")).isEqualTo(new OrSelector(List.of(new NotSelector(has("a")), has("b"))));
    assertThat(sel("! a == 'a1' || ! b == 'b1'").matches(Map.of("a", "a1", "b", "b1"))).isFalse();
  }

  @Test
  void parenthesesOverridePrecedence() {
    Selector s = sel("(a == '1' || b == '1') && c == '1'");
    assertThat(s).isEqualTo(new AndSelector(List.of(new OrSelector(List.of(eq("a", "1"), eq("b", "1"))), eq("c", "1"))));
    assertThat(s.matches(Map.of("a", "1"))).isFalse();
    assertThat(s.matches(Map.of("a", "1", "c", "1"))).isTrue();
    assertThat(sel("!(!has(a) || has(b))").matches(Map.of("a", "a"))).isTrue();
    assertThat(sel("!(has(b) || !has(a))").matches(Map.of("a", "a", "b", "b"))).isFalse();
  }

  @Test
  void chainsAreFlatButExplicitGroupingIsKept() {
    assertThat(sel("has(a) && has(b) && has(c)")).isEqualTo(new AndSelector(List.of(has("a"), has("b"), has("c"))));
    Selector grouped = sel("(has(a) && has(b)) && has(c)");
    assertThat(grouped).isEqualTo(new AndSelector(List.of(new AndSelector(List.of(has("a"), has("b"))), has("c"))));
    assertThat(grouped).hasToString("((has(a) && has(b)) && has(c))");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "!!has(a)     | has(a)",
      "!!! has(a)   | !has(a)",
      "!! ! has(a)  | !has(a)",
      "!(!has(a))   | has(a)",
      "!!(!has(a))  | !has(a)"})
  void doubleNegationFolds(String text, String canonical) {
    assertThat(sel(text)).hasToString(canonical).isEqualTo(sel(canonical));
  }

  @Test
  void notSelectorRefusesADoubleNegationBuiltByHand() {
    assertThatThrownBy(() -> new NotSelector(new NotSelector(has("a"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("double negation");
  }

  /** Calico's canonicalisation table; the UIDs prove the printed form is byte-identical (Calico hashes it). */
  static Stream<Arguments> calicoCanonicalForms() {
    return Stream.of(
        Arguments.of("", "all()", "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug"),
        Arguments.of(" all() ", "all()", "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug"),
        Arguments.of("! (has( b)||! has(a ))", "!(has(b) || !has(a))", "s:Iss0uCleLYv1GSv_pNm7hAO58kE9jAx1NKyG3Q"),
        Arguments.of("! (a == \"b\"&&! c != \"d\")", "!(a == \"b\" && !c != \"d\")",
            "s:lh3haoY1ikTRkd4UZu0nWSaIBknYLPJLX16d-w"),
        Arguments.of("a == \"'\"", "a == \"'\"", null),
        Arguments.of("a == '\"'", "a == '\"'", null),
        Arguments.of("a contains \"'\"", "a contains \"'\"", null),
        Arguments.of("a startswith '\"'", "a starts with '\"'", null),
        Arguments.of("a endswith \"'\"", "a ends with \"'\"", null),
        Arguments.of("a!='\"'", "a != '\"'", null),
        Arguments.of("a in {\"d\", \"a\", \"b\"}", "a in {\"a\", \"b\", \"d\"}", null));
  }

  @ParameterizedTest
  @MethodSource("calicoCanonicalForms")
  void canonicalFormMatchesCalico(String input, String canonical, String calicoUid) throws Exception {
    Selector s = sel(input);
    assertThat(s).hasToString(canonical);
    assertThat(sel(canonical)).isEqualTo(s);
    if (calicoUid != null) {
      byte[] digest = MessageDigest.getInstance("SHA-224").digest(("s:" + s).getBytes(StandardCharsets.UTF_8));
      assertThat("s:" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest)).isEqualTo(calicoUid);
    }
  }

  @Test
  void orAndAndAlwaysPrintInParentheses() {
    assertThat(sel("k == 'v' && x == 'y'")).hasToString("(k == \"v\" && x == \"y\")");
    assertThat(sel("!(!(k == 'v' && has(t) || all()) && (a in {'c', 'b'}))"))
        .hasToString("!(!((k == \"v\" && has(t)) || all()) && a in {\"b\", \"c\"})");
  }

  @ParameterizedTest
  @ValueSource(strings = {"projectcalico.org/namespace == 'default'", "kubernetes.io/metadata.name in {'kube-system'}",
      "pcns.projectcalico.org/name != 'x'", "app.kubernetes.io/part-of starts with 'cal'", "A_b-c.9 == 'v'",
      "has(projectcalico.org/orchestrator)", "has == 'x'", "in == 'x'", "all == 'x'", "not in {'x'}"})
  void kubernetesStyleKeysAndKeywordLikeNamesParse(String text) {
    Selector s = sel(text);
    assertThat(sel(s.toString())).isEqualTo(s);
  }

  @Test
  void keywordLikeKeysAreOrdinaryLabels() {
    assertThat(sel("has == 'x'")).isEqualTo(eq("has", "x"));
    assertThat(sel("not in {'x'}")).isEqualTo(new InSetSelector("not", List.of("x"), false));
  }

  @Test
  void recordsRefuseWhatCannotBePrinted() {
    assertThatThrownBy(() -> eq("a", "it's \"x\"")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both ' and \"");
    assertThatThrownBy(() -> has("a//b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid label key 'a//b': a key holds at most one '/'");
    assertThatThrownBy(() -> new AndSelector(List.of(has("a")))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OrSelector(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void matchesRejectsNullLabels() {
    assertThatThrownBy(() -> sel("all()").matches(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> sel("has(a)").matches(null)).isInstanceOf(NullPointerException.class);
  }
}
