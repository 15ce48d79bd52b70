package org.calicoledger.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CniErrorsTest {
  @Test
  void errorResultHasTheSpecsFieldsAndTheRequestsVersion() {
    CniException e = new CniException(7, "ipam.type is missing", "set \"ipam\"");
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) JsonText.parse(e.toJson("0.4.0"));
    assertThat(m).containsEntry("cniVersion", "0.4.0").containsEntry("code", 7.0)
        .containsEntry("msg", "ipam.type is missing").containsEntry("details", "set \"ipam\"");
  }

  @Test
  void anUnknownOrMissingVersionAnswersInTheNewest() {
    CniException e = new CniException(1, "incompatible CNI version 9.9.9", null);
    assertThat(JsonText.field(JsonText.parse(e.toJson("9.9.9")), "cniVersion")).isEqualTo("1.0.0");
    assertThat(JsonText.field(JsonText.parse(e.toJson(null)), "details")).isEmpty();
  }

  @Test
  void versionResultListsWhatThePluginsSpeak() {
    Map<?, ?> m = (Map<?, ?>) JsonText.parse(CniVersion.versionJson());
    assertThat(m.get("cniVersion")).isEqualTo("1.0.0");
    assertThat(m.get("supportedVersions")).isEqualTo(CniVersion.SUPPORTED);
    assertThat(CniVersion.hasCheck("0.3.1")).isFalse();
    assertThat(CniVersion.hasCheck("0.4.0")).isTrue();
  }

  @Test
  void cniArgsArePairsSeparatedBySemicolons() {
    assertThat(CniArgs.parse(Map.of("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default; K8S_POD_NAME = web-0 ;junk;=x")))
        .containsOnly(Map.entry("IgnoreUnknown", "1"), Map.entry("K8S_POD_NAMESPACE", "default"),
            Map.entry("K8S_POD_NAME", "web-0"));
    assertThat(CniArgs.parse(Map.of())).isEmpty();
  }
}
