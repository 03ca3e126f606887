package dev.sluice.server.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.spec.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * GETs JSON for the http and Prometheus providers, turning every way it can go wrong into a {@link
 * MetricException} that names the address.
 */
final class JsonClient {
  /** Answers larger than this are not metrics; reading stops there. */
  private static final int MAX_BODY = 4 * 1024 * 1024;

  private final Supplier<HttpClient> http;
  private final ObjectMapper json = new ObjectMapper();

  JsonClient(Supplier<HttpClient> http) {
    this.http = http;
  }

  /** An answer: the status code and the parsed body, null when the body is not JSON. */
  record Answer(int status, @Nullable JsonNode body) {}

  /** GETs {@code uri}; any status is returned, only transport failures throw. */
  Answer get(URI uri, Map<String, String> headers, Duration timeout)
      throws MetricException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    headers.forEach(request::header);
    request.header("User-Agent", "sluice-analysis");
    HttpResponse<byte[]> response;
    try {
      response = http.get().send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new MetricException(
          "no answer from " + origin(uri) + " within " + Durations.format(timeout));
    } catch (ConnectException e) {
      throw new MetricException("cannot connect to " + origin(uri));
    } catch (IOException e) {
      throw new MetricException(
          "request to "
              + origin(uri)
              + " failed: "
              + (e.getMessage() == null ? e : e.getMessage()));
    }
    byte[] body = response.body();
    if (body.length > MAX_BODY) {
      throw new MetricException(origin(uri) + " answered more than 4 MiB");
    }
    JsonNode parsed;
    try {
      parsed = body.length == 0 ? null : json.readTree(body);
    } catch (IOException e) {
      parsed = null;
    }
    return new Answer(response.statusCode(), parsed);
  }

  /** The JSON body of a 2xx answer; throws for another status or a body that is not JSON. */
  static JsonNode okBody(Answer answer, URI uri) throws MetricException {
    if (answer.status() / 100 != 2) {
      throw new MetricException(origin(uri) + " answered " + answer.status());
    }
    if (answer.body() == null) {
      throw new MetricException(
          origin(uri) + " answered " + answer.status() + " with a body that is not JSON");
    }
    return answer.body();
  }

  /**
   * The scheme, host and port, for messages: paths, queries and user info may hold secrets or be
   * long.
   */
  static String origin(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost();
    return uri.getScheme() + "://" + host + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }
}
