package dev.sluice.core.analysis;

import dev.sluice.core.spec.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code {{name}}} placeholders of Prometheus queries and http metric URLs: {@code {{app}}},
 * {@code {{version}}} (the version being measured), {@code {{stable}}}, {@code {{canary}}} and
 * {@code {{window}}} (the window as a duration, e.g. {@code 30s}, which PromQL accepts in a range).
 */
public final class Placeholders {
  /** The names, in the order messages list them. */
  public static final List<String> NAMES = List.of("app", "version", "stable", "canary", "window");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

  private Placeholders() {}

  /** The placeholders in {@code template} that are not known, as written (e.g. {@code {{foo}}}). */
  public static List<String> unknown(String template) {
    List<String> out = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!NAMES.contains(m.group(1))) {
        out.add(m.group());
      }
    }
    return out;
  }

  /** True when {@code template} has the placeholder {@code name}. */
  public static boolean uses(String template, String name) {
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Fills the placeholders in.
   *
   * @param version the version being measured: the canary, or the stable version for a baseline
   * @param stable the stable version; an empty string when there is none
   */
  public static String fill(
      String template,
      String app,
      String version,
      @Nullable String stable,
      String canary,
      Duration window) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "app" -> app;
            case "version" -> version;
            case "stable" -> stable == null ? "" : stable;
            case "canary" -> canary;
            case "window" -> Durations.format(window);
            default -> m.group();
          };
      m.appendReplacement(b, Matcher.quoteReplacement(value));
    }
    m.appendTail(b);
    return b.toString();
  }
}
