package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** A policy rule, as in Profiles (and later network policies). */
@JsonInclude(NON_EMPTY)
public record Rule(
    @JsonInclude(JsonInclude.Include.ALWAYS) String action,
    Integer ipVersion,
    IntOrString protocol,
    Icmp icmp,
    IntOrString notProtocol,
    Icmp notICMP,
    EntityRule source,
    EntityRule destination,
    HttpMatch http,
    RuleMetadata metadata) {

  public static Rule allow() {
    return new Rule("Allow", null, null, null, null, null, null, null, null, null);
  }

  @JsonInclude(NON_EMPTY)
  public record Icmp(Integer type, Integer code) {}

  @JsonInclude(NON_EMPTY)
  public record EntityRule(
      List<String> nets,
      String selector,
      String namespaceSelector,
      ServiceMatch services,
      List<IntOrString> ports,
      List<String> notNets,
      String notSelector,
      List<IntOrString> notPorts,
      ServiceAccountMatch serviceAccounts) {}

  @JsonInclude(NON_EMPTY)
  public record ServiceMatch(String name, String namespace) {}

  @JsonInclude(NON_EMPTY)
  public record ServiceAccountMatch(List<String> names, String selector) {}

  @JsonInclude(NON_EMPTY)
  public record HttpMatch(List<String> methods, List<HttpPath> paths) {}

  @JsonInclude(NON_EMPTY)
  public record HttpPath(String exact, String prefix) {}

  @JsonInclude(NON_EMPTY)
  public record RuleMetadata(Map<String, String> annotations) {}
}
