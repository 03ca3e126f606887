package dev.sluice.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The YAML example of docs/websocket.md parses, and the error it shows is the parser's own. */
class WebSocketDocExampleTest {

  private static final Pattern YAML_BLOCK = Pattern.compile("(?ms)^```yaml\\n(.*?)^```");
  private static final Pattern ERROR = Pattern.compile("`(sluice\\.yaml:\\d+:\\d+: [^`]*)`");

  @Test
  void theExampleParsesAndItsBadValueIsReportedAsTheDocSays() throws Exception {
    // Surefire runs in the module's directory; the docs are next to it.
    String doc =
        Files.readString(Path.of("").toAbsolutePath().getParent().resolve("docs/websocket.md"));
    Matcher m = YAML_BLOCK.matcher(doc);
    assertThat(m.find()).isTrue();
    String yaml = m.group(1);
    AppSpec chat = SpecParser.parse(yaml, "sluice.yaml").apps().get(0);
    assertThat(chat.timeouts().drain()).isEqualTo(Duration.ofMinutes(2));
    assertThat(chat.timeouts().tunnelIdle()).isEqualTo(Duration.ofMinutes(10));

    Matcher e = ERROR.matcher(doc);
    assertThat(e.find()).isTrue();
    try {
      SpecParser.parse(yaml.replace("drain: 2m", "drain: 2h"), "sluice.yaml");
      throw new AssertionError("expected drain: 2h to be refused");
    } catch (SpecException x) {
      assertThat(x.problems()).extracting(Problem::toString).containsExactly(e.group(1));
    }
  }
}
