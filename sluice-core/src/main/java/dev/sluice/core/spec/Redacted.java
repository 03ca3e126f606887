package dev.sluice.core.spec;

/**
 * Forms of user-given values that are safe to show in logs, events, notifications and status: a URL
 * without the parts that carry keys.
 *
 * <p>{@code Redacted.url("https://bot:pw@hooks.example/approve?key=s3cr3t")} is {@code
 * "https://hooks.example/approve?..."}. Webhook, gate and metric URLs often hold a key in their
 * query or their user info; the host and path are what a person needs to tell which one failed.
 */
public final class Redacted {
  private Redacted() {}

  /**
   * {@code url} without user info, query or fragment (a removed query shows as {@code ?...}). Works
   * on text that is not a valid URL too, and never throws.
   */
  public static String url(String url) {
    String s = url;
    int hash = s.indexOf('#');
    if (hash >= 0) {
      s = s.substring(0, hash);
    }
    int query = s.indexOf('?');
    if (query >= 0) {
      s = s.substring(0, query);
    }
    int scheme = s.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int slash = s.indexOf('/', start);
    int end = slash < 0 ? s.length() : slash;
    int at = s.lastIndexOf('@', end - 1);
    if (at >= start) {
      s = s.substring(0, start) + s.substring(at + 1);
    }
    return query >= 0 ? s + "?..." : s;
  }
}
