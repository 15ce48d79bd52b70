package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OutputFormatTest {
  @Test
  void acceptsAllowedValuesAndYmlAsYaml() {
    assertThat(OutputFormat.of("yml", "ps", "yaml")).isEqualTo("yaml");
    assertThat(OutputFormat.of("custom-columns=NAME,CIDR", "ps", "custom-columns=")).isEqualTo("custom-columns=NAME,CIDR");
  }

  @Test
  void refusesOthersNamingWhatIsAllowed() {
    assertThatThrownBy(() -> OutputFormat.of("xml", "ps", "json", "yaml"))
        .hasMessage("unrecognized output format 'xml': use ps, json or yaml");
    assertThatThrownBy(() -> OutputFormat.of("wide", "ps", "custom-columns="))
        .hasMessage("unrecognized output format 'wide': use ps or custom-columns=COL,...");
  }
}
