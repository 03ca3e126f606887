package dev.sluice.store.internal;

import dev.sluice.store.Store;
import dev.sluice.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a store lives, parsed from the {@code --store} text: an SQLite file or a PostgreSQL URL in
 * libpq's form ({@code postgres://user:password@host:port/database?param=value}).
 *
 * <p>The URL is taken apart by hand rather than with {@link java.net.URI}, because a PostgreSQL URL
 * may list several hosts ({@code host1:5432,host2:5432}), which {@code URI} cannot parse. User and
 * password are percent-decoded (a password may hold {@code @}, {@code :} or {@code /} written as
 * {@code %40}, {@code %3A}, {@code %2F}); they go to the driver as properties, never inside the
 * JDBC URL, so nothing that logs the URL can log the password.
 */
public sealed interface StoreLocation {
  Pattern POSTGRES = Pattern.compile("(?i)^(postgres|postgresql)://(.*)$");
  Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&]password=)[^&]*");
  Pattern USER_INFO = Pattern.compile("^((?i)postgres(?:ql)?://[^:@/?]*:)[^?]*@");
  String EXPECTED = "postgres://USER:PASSWORD@HOST:PORT/DATABASE, sqlite:PATH or a file path";

  /** Opens the store (and migrates it). */
  Store open();

  /** An SQLite file. */
  record Sqlite(Path file) implements StoreLocation {
    @Override
    public Store open() {
      return JdbcStore.sqlite(file);
    }
  }

  /**
   * A PostgreSQL database.
   *
   * @param hosts {@code host:port}, comma-separated when several
   * @param params for the JDBC driver, without user and password
   */
  record Postgres(
      String hosts,
      String database,
      @Nullable String user,
      @Nullable String password,
      Map<String, String> params)
      implements StoreLocation {

    @Override
    public Store open() {
      return JdbcStore.postgres(this);
    }

    /** The JDBC URL, without user or password. */
    public String jdbcUrl() {
      StringBuilder b = new StringBuilder("jdbc:postgresql://").append(hosts).append('/');
      b.append(encode(database));
      char sep = '?';
      for (Map.Entry<String, String> e : params.entrySet()) {
        b.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
        sep = '&';
      }
      return b.toString();
    }

    /** The location for people: no password, ever. */
    public String display() {
      return "postgres://" + (user == null ? "" : user + "@") + hosts + "/" + database;
    }
  }

  static StoreLocation parse(String location, Path baseDir) {
    String text = location.trim();
    if (text.isEmpty()) {
      throw new StoreException("--store: empty (expected: " + EXPECTED + ")");
    }
    Matcher m = POSTGRES.matcher(text);
    if (m.matches()) {
      return postgres(m.group(2), text);
    }
    if (text.regionMatches(true, 0, "sqlite:", 0, 7)) {
      String path = text.substring(7);
      if (path.startsWith("//")) {
        path = path.substring(2); // sqlite:///abs/path, as some tools write it
      }
      if (path.isEmpty()) {
        throw new StoreException("--store: \"" + text + "\" has no file (expected: sqlite:PATH)");
      }
      return new Sqlite(baseDir.resolve(path).normalize());
    }
    int scheme = text.indexOf("://");
    if (scheme > 0) {
      throw new StoreException(
          "--store: \""
              + redact(text)
              + "\": unknown kind of store \""
              + text.substring(0, scheme)
              + "\" (expected: "
              + EXPECTED
              + ")");
    }
    return new Sqlite(baseDir.resolve(text).normalize());
  }

  private static Postgres postgres(String rest, String whole) {
    String authority = rest;
    String path = "";
    String query = "";
    int q = authority.indexOf('?');
    if (q >= 0) {
      query = authority.substring(q + 1);
      authority = authority.substring(0, q);
    }
    int slash = authority.indexOf('/');
    if (slash >= 0) {
      path = authority.substring(slash + 1);
      authority = authority.substring(0, slash);
    }
    String user = null;
    String password = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String info = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = info.indexOf(':');
      user = decode(colon >= 0 ? info.substring(0, colon) : info, whole);
      password = colon >= 0 ? decode(info.substring(colon + 1), whole) : null;
      if (user.isEmpty()) {
        user = null;
      }
    }
    if (authority.isEmpty()) {
      throw new StoreException(
          "--store: \"" + redact(whole) + "\" names no host (expected: " + EXPECTED + ")");
    }
    StringBuilder hosts = new StringBuilder();
    for (String h : authority.split(",")) {
      if (h.isBlank()) {
        throw new StoreException("--store: \"" + redact(whole) + "\" has an empty host");
      }
      if (hosts.length() > 0) {
        hosts.append(',');
      }
      // a host without a port gets PostgreSQL's; "[::1]" alone is a host, "[::1]:5433" has one
      boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.contains(":");
      hosts.append(hasPort ? h : h + ":5432");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (!query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = decode(eq >= 0 ? pair.substring(0, eq) : pair, whole);
        String v = eq >= 0 ? decode(pair.substring(eq + 1), whole) : "";
        switch (k.toLowerCase(Locale.ROOT)) {
          case "user" -> user = v;
          case "password" -> password = v;
          default -> params.put(k, v);
        }
      }
    }
    String database = decode(path, whole);
    if (database.isEmpty()) {
      database = user == null ? "postgres" : user; // libpq's default: the user's name
    }
    if (password == null) {
      String env = System.getenv("SLUICE_STORE_PASSWORD");
      password = env == null || env.isEmpty() ? null : env;
    }
    return new Postgres(hosts.toString(), database, user, password, params);
  }

  /** The location with its password replaced by {@code ***}. */
  static String redact(String location) {
    String s = USER_INFO.matcher(location).replaceFirst("$1***@");
    return PASSWORD_PARAM.matcher(s).replaceAll("$1***");
  }

  private static String decode(String s, String whole) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()
            || Character.digit(s.charAt(i + 1), 16) < 0
            || Character.digit(s.charAt(i + 2), 16) < 0) {
          throw new StoreException(
              "--store: \"" + redact(whole) + "\" has a bad %-escape (expected: %XX, hex)");
        }
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
