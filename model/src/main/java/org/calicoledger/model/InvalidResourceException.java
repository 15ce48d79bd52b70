package org.calicoledger.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A resource that cannot be accepted: bad syntax, an unknown kind or field, or a value that fails validation.
 * The message names the document, the resource, each offending field and what is allowed; nothing was written.
 */
public final class InvalidResourceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** One offending field; {@code field} is a dotted path such as {@code spec.cidr}, empty for the whole document. */
  public record Problem(String field, String message) {
    @Override
    public String toString() {
      return field == null || field.isEmpty() ? message : field + ": " + message;
    }
  }

  private final String where;
  private final List<Problem> problems;

  public InvalidResourceException(String where, List<Problem> problems) {
    super(where + ": " + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
    this.where = where;
    this.problems = List.copyOf(problems);
  }

  public InvalidResourceException(String where, String field, String message) {
    this(where, List.of(new Problem(field, message)));
  }

  /** The document or resource the problems belong to, e.g. {@code IPPool "pool-a" (document 2)}. */
  public String where() {
    return where;
  }

  public List<Problem> problems() {
    return problems;
  }
}
