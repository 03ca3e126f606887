package dev.sluice.bench.soak;

import dev.sluice.bench.soak.PacedLoad.Failure;
import dev.sluice.bench.soak.PacedLoad.Kind;
import dev.sluice.bench.soak.ProcessSampler.Sample;
import dev.sluice.bench.soak.ReplicaKiller.Kill;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/** What a soak saw, filled in as it runs, and the report printed at its end. */
final class SoakReport {

  /** One release: when it started and ended (ns since the load started), and how it ended. */
  record Release(
      String version,
      boolean bad,
      long startNanos,
      long endNanos,
      String status,
      String reason,
      boolean expected) {
    boolean promoted() {
      return status.equals("Succeeded");
    }
  }

  /** RSS samples before this many seconds are the warm-up, left out of the trend. */
  private static final double WARM_UP_SECONDS = 300;

  final List<Release> releases = new ArrayList<>();
  boolean daemonAlive;
  double seconds;
  long requests;
  long failed;
  long servedByBad;
  Map<Kind, Long> failures = Map.of();
  List<Failure> keptFailures = List.of();
  @Nullable Histogram latency;
  List<Kill> kills = List.of();
  List<String> killErrors = List.of();
  int killsSkipped;
  List<Sample> rss = List.of();
  String finalStable = "";
  String expectedStable = "";
  int finalReplicas;
  int finalHealthy;
  final Map<String, Integer> storedStatuses = new TreeMap<>();

  /** Failed requests that the design does not explain. */
  long unexpectedFailures(boolean badFailsByDesign) {
    return failed - (badFailsByDesign ? failures.getOrDefault(Kind.BAD_VERSION_5XX, 0L) : 0);
  }

  boolean passed(boolean badFailsByDesign) {
    return daemonAlive
        && unexpectedFailures(badFailsByDesign) == 0
        && releases.stream().allMatch(Release::expected)
        && finalStable.equals(expectedStable)
        && finalHealthy == finalReplicas
        && finalReplicas > 0;
  }

  void print(PrintStream out, Path dir, boolean badFailsByDesign) throws IOException {
    long good = releases.stream().filter(r -> !r.bad()).count();
    long promoted = releases.stream().filter(Release::promoted).count();
    long rolledBack = releases.stream().filter(r -> r.status().equals("RolledBack")).count();
    long unexpected = releases.stream().filter(r -> !r.expected()).count();
    StringBuilder md = new StringBuilder();
    md.append("| measure | value |\n|---|---:|\n");
    row(md, "load time", String.format("%.0f s", seconds));
    row(md, "requests", String.format("%,d (%.0f/s)", requests, requests / seconds));
    row(md, "failed requests", String.format("%,d", failed));
    for (Map.Entry<Kind, Long> e : failures.entrySet()) {
      row(md, "&nbsp;&nbsp;" + e.getKey().label, String.format("%,d", e.getValue()));
    }
    row(
        md,
        "answered (2xx) by a bad version",
        String.format("%,d", servedByBad) + (badFailsByDesign ? "" : " (slow by design)"));
    Histogram h = latency;
    if (h != null && h.getTotalCount() > 0) {
      row(
          md,
          "client latency p50 / p99 / p99.9 / max",
          String.format(
              "%.1f / %.1f / %.1f / %.1f ms",
              h.getValueAtPercentile(50) / 1000.0,
              h.getValueAtPercentile(99) / 1000.0,
              h.getValueAtPercentile(99.9) / 1000.0,
              h.getMaxValue() / 1000.0));
    }
    row(
        md,
        "releases (good / bad)",
        String.format("%d (%d / %d)", releases.size(), good, releases.size() - good));
    row(md, "promoted", Long.toString(promoted));
    row(md, "rolled back", Long.toString(rolledBack));
    row(md, "releases that did not end as expected", Long.toString(unexpected));
    row(md, "time to promotion, median / max", spread(true));
    row(md, "time to rollback, median / max", spread(false));
    row(
        md,
        "replica kills (SIGKILL)",
        kills.size()
            + (killsSkipped == 0
                ? ""
                : " (" + killsSkipped + " more skipped: no replica had a healthy spare)"));
    row(md, "daemon alive at the end", daemonAlive ? "yes" : "NO");
    row(
        md,
        "at the end: stable version, replicas healthy",
        finalStable + " (expected " + expectedStable + "), " + finalHealthy + "/" + finalReplicas);
    if (!rss.isEmpty()) {
      Sample first = rss.get(0);
      Sample last = rss.get(rss.size() - 1);
      long min = rss.stream().mapToLong(Sample::rssKib).min().orElse(0);
      long max = rss.stream().mapToLong(Sample::rssKib).max().orElse(0);
      row(
          md,
          "daemon RSS first / min / max / last",
          String.format(
              "%s / %s / %s / %s", mib(first.rssKib()), mib(min), mib(max), mib(last.rssKib())));
      row(md, "daemon RSS trend after the first 5 min", trend());
      row(md, "daemon threads first / last", first.threads() + " / " + last.threads());
      row(md, "daemon open files first / last", first.fds() + " / " + last.fds());
    }
    out.println();
    out.print(md);
    if (!storedStatuses.isEmpty()) {
      out.println("releases in the daemon's store, by status: " + storedStatuses);
    }
    if (!killErrors.isEmpty()) {
      out.println("kill attempts that failed: " + killErrors);
    }
    for (Release r : releases) {
      if (!r.expected()) {
        out.printf(
            "unexpected: %s (%s) %s: %s%n",
            r.version(), r.bad() ? "bad" : "good", r.status(), r.reason());
      }
    }
    if (!keptFailures.isEmpty()) {
      out.println("failed requests (the first " + keptFailures.size() + "):");
      for (Failure f : keptFailures.subList(0, Math.min(50, keptFailures.size()))) {
        out.printf(
            "  [%s] %s %s%s: %s; %s%n",
            Soak.clock(f.atNanos()),
            f.kind(),
            f.status() == 0 ? "" : Integer.toString(f.status()),
            f.version() == null ? "" : " from " + f.version(),
            f.detail(),
            context(f.atNanos()));
      }
    }
    StringBuilder csv = new StringBuilder("seconds,rss_mib,threads,open_files\n");
    for (Sample s : rss) {
      csv.append(
          String.format(
              "%.0f,%.1f,%d,%d%n", s.seconds(), s.rssKib() / 1024.0, s.threads(), s.fds()));
    }
    out.println("daemon RSS every 10 s (also in " + dir.resolve("rss.csv") + "):");
    out.print(csv);
    Files.writeString(dir.resolve("rss.csv"), csv);
    Files.writeString(dir.resolve("report.md"), md);
  }

  /** The release and the last kill around a moment, to read a failure against. */
  private String context(long atNanos) {
    StringBuilder s = new StringBuilder();
    for (Release r : releases) {
      if (atNanos >= r.startNanos() && atNanos <= r.endNanos() + 10_000_000_000L) {
        s.append("during release of ").append(r.version()).append(r.bad() ? " (bad)" : " (good)");
      }
    }
    Kill last = null;
    for (Kill k : kills) {
      if (k.atNanos() <= atNanos) {
        last = k;
      }
    }
    if (last != null && atNanos - last.atNanos() < 10_000_000_000L) {
      s.append(s.isEmpty() ? "" : ", ")
          .append(
              String.format(
                  "%.1f s after the kill of %s/%d",
                  (atNanos - last.atNanos()) / 1e9, last.version(), last.index()));
    }
    return s.isEmpty() ? "no release or kill nearby" : s.toString();
  }

  private String spread(boolean promoted) {
    List<Double> s =
        releases.stream()
            .filter(r -> promoted ? r.promoted() : r.status().equals("RolledBack"))
            .map(r -> (r.endNanos() - r.startNanos()) / 1e9)
            .sorted()
            .toList();
    if (s.isEmpty()) {
      return "-";
    }
    return String.format("%.1f / %.1f s", s.get(s.size() / 2), s.get(s.size() - 1));
  }

  /** Least-squares slope of RSS after the warm-up, in MiB per 10 minutes. */
  private String trend() {
    List<Sample> s = rss.stream().filter(x -> x.seconds() >= WARM_UP_SECONDS).toList();
    if (s.size() < 3) {
      return "- (too short)";
    }
    double mx = s.stream().mapToDouble(Sample::seconds).average().orElse(0);
    double my = s.stream().mapToDouble(x -> x.rssKib() / 1024.0).average().orElse(0);
    double num = 0;
    double den = 0;
    for (Sample x : s) {
      num += (x.seconds() - mx) * (x.rssKib() / 1024.0 - my);
      den += (x.seconds() - mx) * (x.seconds() - mx);
    }
    return String.format("%+.1f MiB per 10 min (%d samples)", num / den * 600, s.size());
  }

  private static String mib(long kib) {
    return String.format("%.0f MiB", kib / 1024.0);
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }
}
