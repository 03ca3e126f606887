package dev.sluice.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every YAML example of docs/routing.md is a spec the parser accepts, with the routing it shows.
 */
class RoutingDocExamplesTest {

  private static final Pattern YAML_BLOCK = Pattern.compile("(?ms)^```yaml\\n(.*?)^```");

  private static List<String> examples() throws IOException {
    // Surefire runs in the module's directory; the docs are next to it.
    Path doc = Path.of("").toAbsolutePath().getParent().resolve("docs/routing.md");
    Matcher m = YAML_BLOCK.matcher(Files.readString(doc));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void everyYamlExampleParses() throws Exception {
    List<String> examples = examples();
    assertThat(examples).hasSizeGreaterThanOrEqualTo(6);
    List<Spec> specs = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      specs.add(SpecParser.parse(examples.get(i), "routing.md example " + (i + 1)));
    }
    // What the examples are there to show is what the parser read.
    assertThat(specs.get(0).apps().get(0).routing().routes()).hasSize(4);
    RoutingSpec force = specs.get(1).apps().get(0).routing();
    assertThat(force.routes().get(0).version()).isEqualTo("canary");
    assertThat(force.routes().get(0).match().headers()).containsKey("x-canary");
    assertThat(specs.get(2).apps().get(0).routing().routes())
        .allSatisfy(r -> assertThat(r.trusted()).isNotEmpty());
    assertThat(specs.get(3).apps().get(0).routing().sticky())
        .isEqualTo(new RoutingSpec.Sticky(RoutingSpec.Sticky.Kind.HEADER, "x-user-id"));
    assertThat(specs.get(4).apps().get(0).routing().sticky())
        .isEqualTo(new RoutingSpec.Sticky(RoutingSpec.Sticky.Kind.SESSION, "sluice-version"));
    List<AppSpec> shared = specs.get(5).apps();
    assertThat(shared).extracting(AppSpec::listen).containsOnly(shared.get(0).listen());
    assertThat(shared).extracting(AppSpec::pathPrefix).containsExactly(null, "/api", "/status");
  }
}
