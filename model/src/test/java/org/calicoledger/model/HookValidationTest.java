package org.calicoledger.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Hook kind: defaults, and every rule's message naming the field, the value and what is allowed. */
class HookValidationTest {
  static Hook decode(String spec) {
    var docs = ResourceCodec.decodeAll("apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: h\nspec:\n"
        + spec, "hook.yaml");
    assertThat(docs).hasSize(1);
    if (!docs.get(0).ok()) {
      throw docs.get(0).error();
    }
    return (Hook) docs.get(0).resource();
  }

  static List<String> problems(String spec) {
    return Validation.problems(decode(spec).withDefaults()).stream().map(Object::toString).toList();
  }

  @Test
  void aWebhookHookGetsItsDefaultsAndIsValid() {
    Hook h = decode("  match:\n    kinds: [IPPool]\n    changedField: spec.natOutgoing\n  webhook:\n"
        + "    url: https://cmdb.example.com/calico\n    secretFile: /etc/calico/hook.secret\n").withDefaults();
    assertThat(Validation.problems(h)).isEmpty();
    assertThat(h.spec().startFrom()).isEqualTo("now");
    assertThat(h.spec().retry()).isEqualTo(new Hook.Retry(5, "1s", "1m"));
    assertThat(h.spec().webhook().timeout()).isEqualTo("10s");
    assertThat(h.withDefaults()).isEqualTo(h);
    assertThat(h.kind()).isEqualTo(Kind.HOOK);
    assertThat(Kind.lookup("hooks")).contains(Kind.HOOK);
    assertThat(decode("  exec:\n    command: /bin/true\n  startFrom: 1234\n").spec().startFrom()).isEqualTo("1234");
  }

  @Test
  void anActionIsRequiredAndOnlyOne() {
    assertThat(problems("  startFrom: now\n")).containsExactly(
        "spec: give an action: spec.exec (a command to run) or spec.webhook (a URL to call)");
    assertThat(problems("  exec:\n    command: /bin/true\n  webhook:\n    url: http://a/\n")).containsExactly(
        "spec.webhook: a hook has one action: give spec.exec or spec.webhook, not both");
    assertThat(problems("  exec:\n    args: [x]\n")).containsExactly(
        "spec.exec.command: must be set to the program to run, e.g. /usr/local/bin/notify-cmdb");
  }

  @Test
  void urlsMustBeHttpOrHttpsWithAHost() {
    assertThat(problems("  webhook:\n    url: ftp://x/y\n")).singleElement().asString()
        .startsWith("spec.webhook.url: 'ftp://x/y': has scheme 'ftp', not http or https; give an http:// or https://");
    assertThat(problems("  webhook:\n    url: 'http:/nohost'\n")).singleElement().asString().contains("has no host");
    assertThat(problems("  webhook:\n    url: 'http://a b/'\n")).singleElement().asString()
        .contains("is not a valid URL (Illegal character in authority at index 7)");
    assertThat(problems("  webhook:\n    url: http://a/\n    caCertFile: /ca.pem\n")).containsExactly(
        "spec.webhook.caCertFile: '/ca.pem': is only used with an https:// URL");
    assertThat(problems("  webhook:\n    url: https://a/\n    secretFile: hook.secret\n")).containsExactly(
        "spec.webhook.secretFile: 'hook.secret': must be an absolute path (calico-hooks does not run in your working"
            + " directory)");
    assertThat(problems("  webhook:\n    url: https://a/\n    caCertFile: /ca.pem\n    insecureSkipTLSVerify: true\n"))
        .singleElement().asString().startsWith("spec.webhook.insecureSkipTLSVerify: 'true': contradicts caCertFile");
  }

  @Test
  void matchRetryTimeoutsAndStartFromAreChecked() {
    assertThat(problems("  match:\n    kinds: [IPPools, Node]\n    operations: [create, modify]\n    name: 'a b'\n"
        + "    changedField: 'spec..x'\n  exec:\n    command: x\n    timeout: -1s\n"
        + "  retry:\n    attempts: 0\n    backoff: 2m\n    maxBackoff: 1m\n  startFrom: yesterday\n")).containsExactly(
        "spec.match.kinds[0]: 'IPPools': unknown kind; use one of " + Kind.knownKinds(),
        "spec.match.name: 'a b': must be a name or a glob of letters, digits, '.', '-', '_', with * (any run) and ?"
            + " (one character), e.g. prod-*",
        "spec.match.operations[1]: 'modify': must be one of create, update, delete",
        "spec.match.changedField: 'spec..x': must be a dotted field path such as spec.natOutgoing or metadata.labels"
            + " (letters, digits, _ and - between dots, [N] for list elements)",
        "spec.exec.timeout: '-1s': must be a positive duration such as 10s, 1m30s or 500ms",
        "spec.retry.attempts: '0': must be between 1 and 100",
        "spec.retry.maxBackoff: '1m': must be at least spec.retry.backoff (2m)",
        "spec.startFrom: 'yesterday': must be now, beginning or a revision (a positive number)");
    assertThat(problems("  match:\n    kinds: [IPPool]\n    namespace: kube-*\n  exec:\n    command: x\n"))
        .containsExactly("spec.match.namespace: 'kube-*': none of spec.match.kinds is namespaced; leave the"
            + " namespace out");
  }

  @Test
  void unknownFieldsAreRefusedByTheStrictDecoding() {
    var docs = ResourceCodec.decodeAll("apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: h\nspec:\n"
        + "  webhook:\n    url: https://a/\n    secret: x\n", "hook.yaml");
    assertThat(docs.get(0).ok()).isFalse();
    assertThat(docs.get(0).error().getMessage()).contains("spec.webhook.secret: unknown field for Hook; allowed here:"
        + " caCertFile, insecureSkipTLSVerify, secretFile, timeout, url");
  }
}
