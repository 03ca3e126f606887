package dev.sluice.runtime.endpoints;

import dev.sluice.runtime.Endpoint;
import dev.sluice.runtime.VersionRuntime;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The runtime of versions that run outside Sluice: each version is a list of {@code http://} URLs,
 * and there is nothing to start or stop.
 *
 * <pre>{@code
 * StaticRuntime runtime = StaticRuntime.create();
 * runtime.define("shop", "v1", List.of("http://10.0.0.5:8080", "http://10.0.0.6:8080"));
 * runtime.endpoints("shop", "v1");   // [shop/v1/0 10.0.0.5:8080, shop/v1/1 10.0.0.6:8080]
 * }</pre>
 *
 * <p>Thread-safe; readers see a version's whole list as last defined.
 */
public final class StaticRuntime implements VersionRuntime {
  private record Key(String app, String version) {}

  private final ConcurrentMap<Key, List<Endpoint>> versions = new ConcurrentHashMap<>();

  private StaticRuntime() {}

  /** Returns an empty runtime. */
  public static StaticRuntime create() {
    return new StaticRuntime();
  }

  /**
   * Sets the URLs of a version, replacing earlier ones; replica {@code i} is {@code urls[i]}.
   *
   * @return the endpoints, named {@code app/version/i}
   * @throws IllegalArgumentException naming the URL that is not {@code http://host[:port][/]};
   *     nothing changes then
   */
  public List<Endpoint> define(String app, String version, List<String> urls) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(urls, "urls");
    if (urls.isEmpty()) {
      throw new IllegalArgumentException(
          app + " " + version + " urls: [] (expected: at least one http://host:port)");
    }
    List<Endpoint> endpoints = new ArrayList<>(urls.size());
    for (int i = 0; i < urls.size(); i++) {
      endpoints.add(parse(app, version, i, urls.get(i)));
    }
    List<Endpoint> frozen = List.copyOf(endpoints);
    versions.put(new Key(app, version), frozen);
    return frozen;
  }

  /** Forgets a version; does nothing when it is unknown. */
  public void remove(String app, String version) {
    versions.remove(new Key(app, version));
  }

  @Override
  public List<Endpoint> endpoints(String app, String version) {
    return versions.getOrDefault(new Key(app, version), List.of());
  }

  private static Endpoint parse(String app, String version, int index, String url) {
    String field = app + " " + version + " urls[" + index + "]: '" + url + "'";
    String expected = " (expected: http://host[:port], the router speaks plain HTTP to upstreams)";
    if (url == null) {
      throw new IllegalArgumentException(field + expected);
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(field + " is not a URL: " + e.getReason() + expected, e);
    }
    if (!"http".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException(field + expected);
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty() || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(field + expected);
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          field + " has a path, query or fragment, which the router would not forward" + expected);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // an IPv6 literal
    }
    int port = uri.getPort() == -1 ? 80 : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(field + " port " + port + expected);
    }
    return new Endpoint(Endpoint.idOf(app, version, index), host, port);
  }
}
