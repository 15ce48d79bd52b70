package org.calicoledger.model.selector;

import java.util.Map;

/**
 * A parsed Calico label selector: the expression language of {@code spec.selector},
 * {@code namespaceSelector} and rule {@code selector}/{@code notSelector} fields.
 *
 * <h2>Grammar</h2>
 * <pre>
 *   selector   := ws* ( or ws* )?                 -- empty or blank text means all()
 *   or         := and ( "||" and )*
 *   and        := unary ( "&amp;&amp;" unary )*
 *   unary      := "!"* primary                    -- an even number of '!' cancels out
 *   primary    := "(" or ")"
 *               | "all(" ws* ")" | "global(" ws* ")" | "has(" ws* key ws* ")"
 *               | key op string | key ("in" | "not" ws* "in") set
 *   op         := "==" | "!=" | "contains" | "starts" ws* "with" | "ends" ws* "with"
 *   set        := "{" ( string ( "," string )* ","? )? "}"
 *   string     := '"' [^"]* '"' | "'" [^']* "'"  -- no escapes, as in Calico
 *   key        := ( dns-subdomain "/" )? name       -- a Kubernetes qualified name
 *   ws         := " " | "\t"
 * </pre>
 * Whitespace may appear between any two tokens. Precedence, as in Calico: {@code !} binds tightest and applies to one
 * whole primary (so {@code !a == "x"} is {@code !(a == "x")}), then {@code &&}, then {@code ||}; both binary operators
 * are associative, so {@code a || b || c} is one three-way {@code ||}.
 *
 * <h2>Where this follows Calico's libcalico-go parser exactly</h2>
 * <ul>
 *   <li>Empty or blank text parses to {@code all()}, which matches everything.</li>
 *   <li>Whitespace is only space and tab; a newline is an error, as Calico rejects it too.</li>
 *   <li>{@code has(}, {@code all(} and {@code global(} are written without a space before {@code (}; otherwise the
 *       word is read as a label key ({@code has == "x"} compares the label {@code has}).</li>
 *   <li>{@code startswith}, {@code endswith} and {@code notin} (no space) are accepted, as is a trailing comma in a
 *       set.</li>
 *   <li>{@code !=} and {@code not in} match a resource that lacks the label; {@code ==}, {@code in}, {@code contains},
 *       {@code starts with} and {@code ends with} never do.</li>
 *   <li>{@code global()} matches every label map here. In Calico it marks "global (non-namespaced) resources" in a
 *       {@code namespaceSelector}; that scoping is the caller's job, not the label match's.</li>
 *   <li>{@code !!x} is read as {@code x}, and set members are de-duplicated and sorted.</li>
 *   <li>Empty sets are legal: {@code k in {}} matches nothing, {@code k not in {}} everything.</li>
 *   <li>{@link #toString()} prints Calico's canonical form byte for byte: every {@code &&} and {@code ||} group in
 *       parentheses, {@code "} quotes unless the value holds one, set members in code-point order. Calico hashes this
 *       string into selector IDs (ipset names), so it must not drift.</li>
 * </ul>
 * Deliberate differences:
 * <ul>
 *   <li>Calico's tokenizer reads any run of {@code [A-Za-z0-9_./-]} as a key; here a key must also be a Kubernetes
 *       qualified name ({@code example.com/my-name}). Calico only admits such keys on resources, so a selector naming
 *       any other key could never match and is more likely a typo.</li>
 *   <li>{@code !(!x)} is also read as {@code x}. Calico keeps that double negation but prints it as {@code !!x}, which
 *       it then reads as {@code x}; folding it here keeps print-then-parse exact.</li>
 *   <li>At most 200 nested parentheses, so that no input can exhaust the stack.</li>
 * </ul>
 *
 * <p>Selectors are immutable values: {@code equals}/{@code hashCode} compare structure (parentheses leave no trace),
 * and {@code parse(s.toString()).equals(s)} holds for every selector.
 */
public sealed interface Selector
    permits AllSelector, GlobalSelector, HasSelector, CompareSelector, InSetSelector, NotSelector, AndSelector,
        OrSelector {

  /**
   * Parses selector text.
   *
   * @throws SelectorParseException naming the text, the 1-based column and what was expected there
   */
  static Selector parse(String text) {
    return new SelectorParser(text).parse();
  }

  /** Whether a resource with these labels is selected. A {@code null} value counts as an absent label. */
  boolean matches(Map<String, String> labels);

  /**
   * A label every match must carry with exactly this value ({@code key == "value"} alone or as an operand of
   * {@code &&}), as {@code key=value}'s two parts, or null when there is none. Lets a caller look candidates up in an
   * index of labels instead of testing every resource; {@link #matches} must still be asked.
   */
  default Map.Entry<String, String> requiredLabel() {
    return null;
  }

  /** Calico's canonical text for this selector; parsing it gives back an equal selector. */
  @Override
  String toString();
}
