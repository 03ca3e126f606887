package dev.sluice.server.dashboard;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's files (pages, scripts, styles and the vendored uPlot), read from the classpath
 * once at start and served with an ETag, so a browser revalidates them with a 304 instead of
 * downloading them again.
 *
 * <p>Pages are plain HTML without data: their scripts fetch JSON from {@code /ui/api}. Every answer
 * carries a Content-Security-Policy that allows scripts and styles from this site only, so text
 * that reaches a page (an app's reason, a flag's owner) can never run as code there.
 */
final class Assets {
  private static final Logger log = LoggerFactory.getLogger(Assets.class);
  private static final String ROOT = "dashboard/";

  /** Every file served under {@code /ui/assets/}; the pages are served at their own paths. */
  static final List<String> FILES =
      List.of(
          "app.css",
          "favicon.svg",
          "common.js",
          "charts.js",
          "login.js",
          "overview.js",
          "release.js",
          "flags.js",
          "vendor/uPlot.iife.min.js",
          "vendor/uPlot.min.css",
          "vendor/LICENSE");

  static final List<String> PAGES =
      List.of("login.html", "overview.html", "release.html", "flags.html");

  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'"
          + " data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action"
          + " 'self'";

  private record Asset(byte[] bytes, String contentType, String etag) {}

  private final Map<String, Asset> assets = new LinkedHashMap<>();

  Assets() {
    for (String name : FILES) {
      load(name);
    }
    for (String name : PAGES) {
      load(name);
    }
  }

  private void load(String name) {
    try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        log.error(
            "dashboard: {} is missing from the classpath; the page that needs it will not work",
            ROOT + name);
        return;
      }
      byte[] bytes = in.readAllBytes();
      assets.put(name, new Asset(bytes, contentType(name), etag(bytes)));
    } catch (IOException e) {
      log.error("dashboard: cannot read {}: {}", ROOT + name, e.toString());
    }
  }

  /** Whether a file is there to serve. */
  boolean has(String name) {
    return assets.containsKey(name);
  }

  /** Serves a file under {@code /ui/assets/}; 404 for any other name. */
  void serve(Context ctx, String name) {
    Asset a = assets.get(name);
    if (a == null) {
      ctx.status(404).contentType("text/plain; charset=utf-8").result("no such file: " + name);
      return;
    }
    send(ctx, a);
  }

  /** Serves a page (its data comes from its script). */
  void page(Context ctx, String page) {
    Asset a = assets.get(page);
    if (a == null) {
      ctx.status(500)
          .contentType("text/plain; charset=utf-8")
          .result("the dashboard page " + page + " is missing from this build");
      return;
    }
    headers(ctx);
    ctx.header("Cache-Control", "no-store");
    ctx.contentType(a.contentType()).result(a.bytes());
  }

  private static void send(Context ctx, Asset a) {
    headers(ctx);
    ctx.header("ETag", a.etag());
    ctx.header("Cache-Control", "no-cache");
    String match = ctx.header("If-None-Match");
    if (a.etag().equals(match)) {
      ctx.status(304);
      return;
    }
    ctx.contentType(a.contentType()).result(a.bytes());
  }

  /** The security headers of every dashboard answer. */
  static void headers(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
  }

  private static String contentType(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "js" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "svg" -> "image/svg+xml";
      default -> "text/plain; charset=utf-8";
    };
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] sum = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(sum, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The name under {@code /ui/assets/} for a request path's rest, or null when it is not one. */
  static @Nullable String name(String rest) {
    return FILES.contains(rest) ? rest : null;
  }
}
