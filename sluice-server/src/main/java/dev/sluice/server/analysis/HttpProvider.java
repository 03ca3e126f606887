package dev.sluice.server.analysis;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.Placeholders;
import dev.sluice.core.analysis.Reading;
import dev.sluice.core.spec.Redacted;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * A GET of a URL that answers JSON, and a number read from it with a JSON pointer. A non-2xx answer
 * or a pointer that finds nothing is an error (the endpoint or the spec is wrong); a JSON null is
 * no data. Baseline conditions GET the URL again with {@code {{version}}} set to the stable
 * version.
 */
final class HttpProvider implements MetricProvider {
  private final JsonClient client;

  HttpProvider(JsonClient client) {
    this.client = client;
  }

  @Override
  public Reading read(MetricSpec metric, Target t) throws MetricException, InterruptedException {
    MetricSpec.Http h = (MetricSpec.Http) metric.provider();
    Double canary = get(h, t, t.canary());
    if (canary == null) {
      return Reading.noData("null at " + h.jsonPointer());
    }
    Double baseline = null;
    String note = "";
    if (metric.conditions().needsBaseline()) {
      String stable = t.stable();
      if (stable == null) {
        note = "no stable version to compare with";
      } else {
        baseline = get(h, t, stable);
        note = baseline == null ? "baseline: null at " + h.jsonPointer() : "";
      }
    }
    return Reading.of(canary, baseline).withNote(note);
  }

  private @Nullable Double get(MetricSpec.Http h, Target t, String version)
      throws MetricException, InterruptedException {
    String url = Placeholders.fill(h.url(), t.app(), version, t.stable(), t.canary(), t.window());
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new MetricException("not a URL once filled in: " + Redacted.url(url));
    }
    JsonNode body = JsonClient.okBody(client.get(uri, h.headers(), h.timeout()), uri);
    JsonNode node = body.at(JsonPointer.compile(h.jsonPointer()));
    if (node.isMissingNode()) {
      throw new MetricException("no value at " + h.jsonPointer() + " in the answer");
    }
    if (node.isNull()) {
      return null;
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) {
      try {
        return Double.parseDouble(node.textValue().trim());
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new MetricException(
        "the value at " + h.jsonPointer() + " is not a number: " + abbreviate(node.toString()));
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
