package org.calicoledger.model.selector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.calicoledger.model.selector.CompareSelector.Op;

/**
 * Generated selectors: print-then-parse is exact, any legal respelling parses to the same selector, evaluation agrees
 * with {@link ReferenceEvaluation}, and arbitrary token soup either parses or fails with an in-range column.
 * Keys and values come from small pools so that generated label maps actually hit the selectors' keys and values.
 */
class SelectorPropertyTest {
  static final List<String> KEYS = List.of("a", "b", "app", "projectcalico.org/namespace", "k8s.io/x-y_z.1", "in");
  static final List<String> VALUES = List.of("", "x", "y", "xy", "yx", "it's", "say \"hi\"", "a && b)", "{,}",
      "line\nbreak", "\u00e9t\u00e9", "\uD83D\uDE00");

  @Provide
  Arbitrary<Selector> selectors() {
    return selectors(4);
  }

  private Arbitrary<Selector> selectors(int depth) {
    if (depth == 0) {
      return leaves();
    }
    Arbitrary<Selector> sub = selectors(depth - 1);
    return Arbitraries.frequencyOf(
        Tuple.of(3, leaves()),
        Tuple.of(1, sub.filter(s -> !(s instanceof NotSelector)).map(NotSelector::new)),
        Tuple.of(1, sub.list().ofMinSize(2).ofMaxSize(3).map(AndSelector::new)),
        Tuple.of(1, sub.list().ofMinSize(2).ofMaxSize(3).map(OrSelector::new)));
  }

  private Arbitrary<Selector> leaves() {
    Arbitrary<String> keys = Arbitraries.of(KEYS);
    Arbitrary<String> values = Arbitraries.of(VALUES);
    return Arbitraries.oneOf(
        Arbitraries.of(new AllSelector(), new GlobalSelector()),
        keys.map(HasSelector::new),
        Combinators.combine(keys, Arbitraries.of(Op.values()), values).as(CompareSelector::new),
        Combinators.combine(keys, values.list().ofMaxSize(4), Arbitraries.of(true, false)).as(InSetSelector::new));
  }

  @Provide
  Arbitrary<Map<String, String>> labelMaps() {
    return Arbitraries.maps(Arbitraries.of(KEYS), Arbitraries.of(VALUES)).ofMaxSize(KEYS.size());
  }

  @Property(tries = 2000)
  void printThenParseGivesAnEqualSelector(@ForAll("selectors") Selector selector) {
    String text = selector.toString();
    Selector back = Selector.parse(text);
    assertThat(back).isEqualTo(selector);
    assertThat(back.hashCode()).isEqualTo(selector.hashCode());
    assertThat(back.toString()).isEqualTo(text);
  }

  @Property(tries = 2000)
  void anyLegalSpellingParsesToTheSameSelector(@ForAll("selectors") Selector selector, @ForAll Random random) {
    String noisy = new NoisyPrinter(random).print(selector);
    Statistics.label("respelled").collect(!noisy.equals(selector.toString()));
    assertThat(Selector.parse(noisy)).as("parsing %s", noisy).isEqualTo(selector);
    Statistics.label("respelled").coverage(c -> c.check(true).percentage(p -> p > 90));
  }

  @Property(tries = 3000)
  void matchesAgreesWithTheReferenceEvaluation(@ForAll("selectors") Selector selector,
      @ForAll("labelMaps") Map<String, String> labels) {
    boolean expected = ReferenceEvaluation.matches(selector, labels);
    Statistics.collect(expected);
    assertThat(selector.matches(labels)).isEqualTo(expected);
    assertThat(Selector.parse(selector.toString()).matches(labels)).isEqualTo(expected);
    Statistics.coverage(c -> {
      c.check(true).percentage(p -> p > 15);
      c.check(false).percentage(p -> p > 15);
    });
  }

  /** The index key is a promise: whatever matches carries that label with that value. */
  @Property(tries = 3000)
  void aMatchAlwaysCarriesTheRequiredLabel(@ForAll("selectors") Selector selector,
      @ForAll("labelMaps") Map<String, String> labels) {
    Map.Entry<String, String> required = selector.requiredLabel();
    Statistics.collect(required != null);
    if (required != null && selector.matches(labels)) {
      assertThat(labels).containsEntry(required.getKey(), required.getValue());
    }
    Statistics.coverage(c -> c.check(true).percentage(p -> p > 5));
  }

  @Property(tries = 1000)
  void textualConnectivesBehaveAsBooleans(@ForAll("selectors") Selector s1, @ForAll("selectors") Selector s2,
      @ForAll("labelMaps") Map<String, String> labels) {
    boolean m1 = s1.matches(labels);
    boolean m2 = s2.matches(labels);
    assertThat(Selector.parse("!(" + s1 + ")").matches(labels)).isEqualTo(!m1);
    assertThat(Selector.parse("!!" + s1).matches(labels)).isEqualTo(m1);
    assertThat(Selector.parse(s1 + " && " + s2).matches(labels)).isEqualTo(m1 && m2);
    assertThat(Selector.parse(s1 + " || " + s2).matches(labels)).isEqualTo(m1 || m2);
  }

  @Provide
  Arbitrary<String> tokenSoup() {
    return Arbitraries.of("a", "b", "x.io/y", "has(", "all(", "global(", "(", ")", "!", "&&", "||", "==", "!=", "in",
            "not", "contains", "starts", "with", "ends", "{", "}", ",", "\"v\"", "'w'", "\"", "'", " ", "\t", "/", "=",
            "&", "|", "%", "\n", "-")
        .list().ofMaxSize(14).map(parts -> String.join("", parts));
  }

  @Property(tries = 5000)
  void anyTextParsesAndRoundTripsOrFailsWithAnInRangeColumn(@ForAll("tokenSoup") String text) {
    Selector parsed;
    try {
      parsed = Selector.parse(text);
    } catch (SelectorParseException e) {
      Statistics.collect("rejected");
      assertThat(e.column()).isBetween(1, text.codePointCount(0, text.length()) + 1);
      assertThat(e.selector()).isEqualTo(text);
      assertThat(e.getMessage()).startsWith("selector \"").contains(": column " + e.column() + ": expected ");
      return;
    }
    Statistics.collect("parsed");
    assertThat(Selector.parse(parsed.toString())).isEqualTo(parsed);
    Statistics.coverage(c -> c.check("parsed").percentage(p -> p > 1));
  }

  /** Prints a selector with random whitespace, quotes, keyword spellings, set order, '!!' and redundant parentheses. */
  private static final class NoisyPrinter {
    private final Random random;

    NoisyPrinter(Random random) {
      this.random = random;
    }

    String print(Selector s) {
      boolean compound = s instanceof AndSelector || s instanceof OrSelector;
      String text = printCore(s);
      boolean wrapped = random.nextInt(5) == 0;
      if (wrapped) {
        text = "(" + ws() + text + ws() + ")";
      }
      if (random.nextInt(8) == 0) {
        text = "!!" + ws() + (compound && !wrapped ? "(" + text + ")" : text);
      }
      return text;
    }

    /** An operand of '!', '&&' or '||', in parentheses where precedence or nesting needs them. */
    private String operand(Selector child, boolean needsParens) {
      String text = print(child);
      return needsParens ? "(" + ws() + text + ws() + ")" : text;
    }

    private String printCore(Selector s) {
      if (s instanceof AllSelector) {
        return "all(" + ws() + ")";
      }
      if (s instanceof GlobalSelector) {
        return "global(" + ws() + ")";
      }
      if (s instanceof HasSelector h) {
        return "has(" + ws() + h.key() + ws() + ")";
      }
      if (s instanceof CompareSelector c) {
        String op = switch (c.op()) {
          case EQ -> ws() + "==";
          case NE -> ws() + "!=";
          case CONTAINS -> space() + "contains";
          case STARTS_WITH -> space() + "starts" + ws() + "with";
          case ENDS_WITH -> space() + "ends" + ws() + "with";
        };
        return c.key() + op + ws() + quote(c.value());
      }
      if (s instanceof InSetSelector in) {
        List<String> members = new ArrayList<>(in.values());
        if (!members.isEmpty() && random.nextBoolean()) {
          members.add(members.get(random.nextInt(members.size())));
        }
        Collections.shuffle(members, random);
        StringBuilder set = new StringBuilder("{");
        for (int i = 0; i < members.size(); i++) {
          set.append(ws()).append(i == 0 ? "" : "," + ws()).append(quote(members.get(i)));
        }
        if (!members.isEmpty() && random.nextInt(4) == 0) {
          set.append(ws()).append(',');
        }
        set.append(ws()).append('}');
        return in.key() + space() + (in.notIn() ? "not" + ws() + "in" : "in") + ws() + set;
      }
      if (s instanceof NotSelector n) {
        Selector inner = n.operand();
        return "!" + ws() + operand(inner, inner instanceof AndSelector || inner instanceof OrSelector);
      }
      if (s instanceof AndSelector a) {
        return join(a.operands(), "&&", child -> child instanceof AndSelector || child instanceof OrSelector);
      }
      OrSelector o = (OrSelector) s;
      return join(o.operands(), "||", child -> child instanceof OrSelector);
    }

    private String join(List<Selector> operands, String op, Predicate<Selector> needsParens) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < operands.size(); i++) {
        Selector child = operands.get(i);
        out.append(i == 0 ? "" : ws() + op + ws()).append(operand(child, needsParens.test(child)));
      }
      return out.toString();
    }

    private String quote(String value) {
      if (value.contains("\"")) {
        return "'" + value + "'";
      }
      if (value.contains("'") || random.nextBoolean()) {
        return "\"" + value + "\"";
      }
      return "'" + value + "'";
    }

    private String ws() {
      return List.of("", "", " ", "\t", "  ").get(random.nextInt(5));
    }

    private String space() {
      return List.of(" ", "\t", " \t").get(random.nextInt(3));
    }
  }
}
