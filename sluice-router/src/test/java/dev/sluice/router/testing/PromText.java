package dev.sluice.router.testing;

import dev.sluice.router.Router;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Reads values out of a router's Prometheus text, for assertions. */
public final class PromText {
  private PromText() {}

  /**
   * Returns the sum of the samples whose series starts with {@code prefix} (a metric name, or a
   * name with the first labels, e.g. {@code sluice_replica_ejected{app="shop"}}).
   */
  public static long sum(Router router, String prefix) {
    StringBuilder out = new StringBuilder();
    try {
      router.metrics().writePrometheus(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String open = prefix.endsWith("}") ? prefix.substring(0, prefix.length() - 1) : prefix;
    long sum = 0;
    for (String line : out.toString().split("\n")) {
      if (line.startsWith("#") || !line.startsWith(open)) {
        continue;
      }
      String name = line.substring(0, line.lastIndexOf(' '));
      if (!name.equals(prefix) && !name.startsWith(open + "{") && !name.startsWith(open + ",")) {
        continue;
      }
      sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }
}
