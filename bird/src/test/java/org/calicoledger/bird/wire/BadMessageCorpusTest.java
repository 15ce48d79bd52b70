package org.calicoledger.bird.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus of bad inputs in {@code src/test/resources/bad-messages}, one hex file per case: {@code NAME.C-S.hex}
 * must fail with NOTIFICATION C/S (session reset); {@code NAME.withdraw.hex} and {@code NAME.discard.hex} must decode
 * with that RFC 7606 action as the worst verdict.
 */
class BadMessageCorpusTest {
  static Stream<Path> corpus() throws Exception {
    Path dir = Path.of(BadMessageCorpusTest.class.getResource("/bad-messages").toURI());
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".hex")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(20);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void eachBadInputGetsItsVerdict(Path file) throws Exception {
    byte[] bytes = HexFormat.of().parseHex(Files.readString(file).trim());
    String name = file.getFileName().toString().replace(".hex", "");
    String verdict = name.substring(name.lastIndexOf('.') + 1);
    switch (verdict) {
      case "withdraw", "discard" -> {
        BgpMessage m = BgpCodec.decode(bytes, CodecOptions.DEFAULT);
        assertThat(m).isInstanceOf(BgpMessage.Update.class);
        assertThat(((BgpMessage.Update) m).action()).isEqualTo(verdict.equals("withdraw")
            ? ErrorAction.TREAT_AS_WITHDRAW : ErrorAction.ATTRIBUTE_DISCARD);
      }
      default -> {
        int code = Integer.parseInt(verdict.split("-")[0]);
        int sub = Integer.parseInt(verdict.split("-")[1]);
        assertThatThrownBy(() -> BgpCodec.decode(bytes, CodecOptions.DEFAULT))
            .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
              assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
              assertThat(e.subcode()).as(e.getMessage()).isEqualTo(sub);
            });
      }
    }
  }

}
