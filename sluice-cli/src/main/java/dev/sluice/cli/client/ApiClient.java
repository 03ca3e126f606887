package dev.sluice.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.server.AdminToken;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Talks to a Sluice daemon's control API, found by its state directory ({@code api.addr} and {@code
 * admin.token} there) or given as a URL and a token.
 */
public final class ApiClient {
  private final HttpClient http;
  private final String base;
  private final @Nullable String token;

  public ApiClient(String base, @Nullable String token) {
    this(base, token, null);
  }

  /**
   * A client that trusts the certificates in {@code caCert} (PEM) for an HTTPS daemon, on top of
   * the system's; null for the system's only.
   */
  public ApiClient(String base, @Nullable String token, @Nullable Path caCert) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
    if (caCert != null) {
      b.sslContext(trusting(caCert));
    }
    this.http = b.build();
  }

  private static javax.net.ssl.SSLContext trusting(Path caCert) {
    try (java.io.InputStream in = Files.newInputStream(caCert)) {
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (java.security.cert.Certificate c :
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("--cacert " + caCert + ": " + e.getMessage(), e);
    }
  }

  /** A client for the daemon that uses {@code stateDir}. */
  public static ApiClient forStateDir(Path stateDir) throws ApiException {
    return forStateDir(stateDir, null);
  }

  /** A client for the daemon that uses {@code stateDir}, trusting {@code caCert} if given. */
  public static ApiClient forStateDir(Path stateDir, @Nullable Path caCert) throws ApiException {
    try {
      String url = Files.readString(stateDir.resolve(Daemon.API_ADDR_FILE)).trim();
      String token = null;
      try {
        token = AdminToken.read(stateDir);
      } catch (NoSuchFileException | java.nio.file.AccessDeniedException e) {
        // reads still work without it
      }
      return new ApiClient(url, token, caCert);
    } catch (NoSuchFileException e) {
      throw new ApiException(
          0,
          "no Sluice daemon found in "
              + stateDir.toAbsolutePath()
              + " (no "
              + Daemon.API_ADDR_FILE
              + "); start one with 'sluice up -f sluice.yaml', or pass --state-dir or --server");
    } catch (IOException e) {
      throw new ApiException(0, "cannot read " + stateDir + ": " + e.getMessage());
    }
  }

  public String base() {
    return base;
  }

  public JsonNode get(String path) throws ApiException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public JsonNode post(String path, ObjectNode body) throws ApiException {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
  }

  public JsonNode delete(String path) throws ApiException {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private JsonNode send(HttpRequest.Builder b) throws ApiException {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response =
          http.send(
              b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new ApiException(
          0, "cannot reach the Sluice daemon at " + base + " (is 'sluice up' running?)");
    } catch (IOException e) {
      throw new ApiException(0, "cannot talk to the Sluice daemon at " + base + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "interrupted");
    }
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new ApiException(
          response.statusCode(), "the daemon answered " + response.statusCode() + " with no JSON");
    }
    if (response.statusCode() >= 400) {
      String message = json.path("error").asText("HTTP " + response.statusCode());
      throw new ApiException(response.statusCode(), message);
    }
    return json;
  }

  /** A call that failed: the HTTP status (0 when the daemon was not reached) and why. */
  public static final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ApiException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
