package dev.sluice.server.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.Placeholders;
import dev.sluice.core.analysis.Reading;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An instant PromQL query against the Prometheus HTTP API ({@code GET /api/v1/query}). The value is
 * the first sample of an instant vector, or the scalar. An empty vector or NaN (a ratio of two zero
 * rates: no traffic) is no data, never a failure. Baseline conditions run the same query with
 * {@code {{version}}} set to the stable version.
 */
final class PrometheusProvider implements MetricProvider {
  private final JsonClient client;

  PrometheusProvider(JsonClient client) {
    this.client = client;
  }

  @Override
  public Reading read(MetricSpec metric, Target t) throws MetricException, InterruptedException {
    MetricSpec.Prometheus p = (MetricSpec.Prometheus) metric.provider();
    Value canary = query(p, t, t.canary());
    if (canary.value() == null) {
      return Reading.noData(canary.why());
    }
    Double baseline = null;
    String note = "";
    if (metric.conditions().needsBaseline()) {
      String stable = t.stable();
      if (stable == null) {
        note = "no stable version to compare with";
      } else {
        Value b = query(p, t, stable);
        baseline = b.value();
        note = b.value() == null ? "baseline: " + b.why() : "";
      }
    }
    return Reading.of(canary.value(), baseline).withNote(note);
  }

  private record Value(@Nullable Double value, String why) {}

  private Value query(MetricSpec.Prometheus p, Target t, String version)
      throws MetricException, InterruptedException {
    String promql =
        Placeholders.fill(p.query(), t.app(), version, t.stable(), t.canary(), t.window());
    URI uri =
        URI.create(
            p.address()
                + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonClient.Answer answer = client.get(uri, Map.of(), p.timeout());
    JsonNode body = answer.body();
    if (body == null) {
      // Not the API's JSON: a proxy's error page, or not a Prometheus at all.
      JsonClient.okBody(answer, uri);
      throw new MetricException(JsonClient.origin(uri) + " does not answer like Prometheus");
    }
    String status = body.path("status").asText("");
    if (answer.status() / 100 != 2 || !status.equals("success")) {
      String type = body.path("errorType").asText("");
      String error = body.path("error").asText("");
      throw new MetricException(
          "Prometheus answered "
              + answer.status()
              + (type.isEmpty() ? "" : ": " + type)
              + (error.isEmpty() ? "" : ": " + error));
    }
    JsonNode data = body.path("data");
    String type = data.path("resultType").asText("");
    JsonNode sample;
    switch (type) {
      case "vector" -> {
        JsonNode result = data.path("result");
        if (!result.isArray() || result.isEmpty()) {
          return new Value(null, "the query returned no samples");
        }
        sample = result.get(0).path("value");
      }
      case "scalar" -> sample = data.path("result");
      default ->
          throw new MetricException(
              "the query returned a "
                  + (type.isEmpty() ? "result of no type" : type)
                  + " (expected: an instant vector or a scalar)");
    }
    String text = sample.path(1).asText("");
    Double v = parse(text);
    if (v == null) {
      throw new MetricException("Prometheus returned a sample that is not a number: " + text);
    }
    if (v.isNaN()) {
      return new Value(null, "the query returned NaN");
    }
    return new Value(v, "");
  }

  /** Prometheus' text form of a float: a decimal, NaN, +Inf or -Inf. */
  private static @Nullable Double parse(String text) {
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          yield null;
        }
      }
    };
  }
}
