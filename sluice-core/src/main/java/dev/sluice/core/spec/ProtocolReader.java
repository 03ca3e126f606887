package dev.sluice.core.spec;

import dev.sluice.core.spec.internal.YamlValue;
import dev.sluice.core.spec.internal.YamlValue.Fields;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Reads an app's {@code tls}, {@code http2} and {@code upstreamProtocol} fields. */
final class ProtocolReader {

  private static final Pattern PATH = Pattern.compile("\\S(.*\\S)?");

  private ProtocolReader() {}

  static ProtocolSpec protocols(Fields app) {
    ProtocolSpec.Tls tls = app.get("tls").map(ProtocolReader::tls, null);
    boolean http2 = app.get("http2").bool(false);
    ProtocolSpec.Upstream upstream = ProtocolSpec.Upstream.HTTP1;
    YamlValue u = app.get("upstreamProtocol");
    if (u.present()) {
      String s = u.string(Pattern.compile("http1|h2c"), "http1 or h2c");
      if ("h2c".equals(s)) {
        upstream = ProtocolSpec.Upstream.H2C;
      }
    }
    return new ProtocolSpec(tls, http2, upstream);
  }

  private static ProtocolSpec.@Nullable Tls tls(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with cert and key (PEM files) and optionally reloadInterval",
            "cert",
            "key",
            "reloadInterval");
    String cert = f.get("cert").string(PATH, "the path of a PEM certificate chain");
    String key = f.get("key").string(PATH, "the path of a PEM PKCS#8 private key");
    Duration every =
        f.get("reloadInterval")
            .duration(Duration.ofMillis(100), Duration.ofHours(1), Duration.ofSeconds(2));
    if (cert == null || key == null || every == null) {
      return null;
    }
    return new ProtocolSpec.Tls(cert, key, every);
  }
}
