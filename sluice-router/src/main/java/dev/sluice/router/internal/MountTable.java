package dev.sluice.router.internal;

import dev.sluice.router.Mount;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The apps of one listener compiled for the hot path: which compiled table a request goes to, by
 * host and longest path prefix (see {@link Mount}). A listener with one app for every request
 * ({@link #single}) never looks at the request for this.
 */
final class MountTable {

  final List<Mount> source;

  /** The one table of every request, or null when the request decides. */
  final @Nullable CompiledTable single;

  private final Entry[] entries;

  MountTable(List<Mount> source, List<CompiledTable> tables) {
    this.source = List.copyOf(source);
    List<Entry> list = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      list.add(new Entry(source.get(i), tables.get(i)));
    }
    // Longest prefix first; the sort is stable, so equal prefixes keep the list's order.
    list.sort(Comparator.comparingInt((Entry e) -> -e.prefix.length));
    this.entries = list.toArray(new Entry[0]);
    Mount first = source.get(0);
    this.single =
        source.size() == 1 && first.hosts().isEmpty() && first.pathPrefix().equals("/")
            ? tables.get(0)
            : null;
  }

  /** Returns every compiled table. */
  List<CompiledTable> tables() {
    List<CompiledTable> out = new ArrayList<>();
    for (Entry e : entries) {
      out.add(e.table);
    }
    return out;
  }

  /** Returns the table of this app, or null when the listener no longer has it. */
  @Nullable CompiledTable table(String app) {
    for (Entry e : entries) {
      if (e.table.app.equals(app)) {
        return e.table;
      }
    }
    return null;
  }

  /** Returns the table of the request's app, or null when no mount takes it (404). */
  @Nullable CompiledTable pick(HeadParser p) {
    CompiledTable s = single;
    if (s != null) {
      return s;
    }
    byte[] b = p.bytes();
    long host = RequestFields.host(p);
    int hs = host < 0 ? 0 : (int) (host >>> 32);
    int he = host < 0 ? 0 : (int) host;
    int ps = RequestFields.pathStart(p);
    int pe = RequestFields.pathEnd(p, ps);
    for (Entry e : entries) {
      if (e.hostMatches(b, hs, he, host >= 0) && RequestFields.hasPathPrefix(b, ps, pe, e.prefix)) {
        return e.table;
      }
    }
    return null;
  }

  private static final class Entry {
    final byte[] prefix;
    final byte[][] hosts;
    final boolean[] wildcard;
    final CompiledTable table;

    Entry(Mount m, CompiledTable table) {
      this.table = table;
      this.prefix = m.pathPrefix().getBytes(StandardCharsets.UTF_8);
      this.hosts = new byte[m.hosts().size()][];
      this.wildcard = new boolean[hosts.length];
      for (int i = 0; i < hosts.length; i++) {
        String h = m.hosts().get(i);
        wildcard[i] = h.startsWith("*.");
        hosts[i] = (wildcard[i] ? h.substring(1) : h).getBytes(StandardCharsets.US_ASCII);
      }
    }

    boolean hostMatches(byte[] b, int from, int to, boolean present) {
      if (hosts.length == 0) {
        return true;
      }
      if (!present) {
        return false;
      }
      for (int i = 0; i < hosts.length; i++) {
        if (RequestFields.hostMatches(b, from, to, hosts[i], wildcard[i])) {
          return true;
        }
      }
      return false;
    }
  }
}
