package dev.sluice.flags.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * A canonical text for JSON values, so that documents that mean the same (whatever their key order,
 * whitespace or number spelling, {@code 1} vs {@code 1.0}) hash the same: object keys sorted, no
 * whitespace, numbers in plain decimal without trailing zeros.
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  /** The canonical text of {@code json}. */
  public static String write(JsonNode json) {
    StringBuilder sb = new StringBuilder();
    write(json, sb);
    return sb.toString();
  }

  /** Hex SHA-256 of the canonical texts of the given values, in order. */
  public static String sha256(JsonNode... parts) {
    MessageDigest digest = sha256();
    for (JsonNode part : parts) {
      digest.update(write(part).getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static void write(JsonNode json, StringBuilder sb) {
    switch (json.getNodeType()) {
      case OBJECT -> {
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        Collections.sort(keys);
        sb.append('{');
        for (int i = 0; i < keys.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          string(keys.get(i), sb);
          sb.append(':');
          write(json.get(keys.get(i)), sb);
        }
        sb.append('}');
      }
      case ARRAY -> {
        sb.append('[');
        for (int i = 0; i < json.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          write(json.get(i), sb);
        }
        sb.append(']');
      }
      case STRING -> string(json.textValue(), sb);
      case NUMBER -> {
        if (json.isIntegralNumber()) {
          sb.append(json.bigIntegerValue());
        } else {
          sb.append(json.decimalValue().stripTrailingZeros().toPlainString());
        }
      }
      case BOOLEAN -> sb.append(json.booleanValue());
      default -> sb.append("null");
    }
  }

  private static void string(String s, StringBuilder sb) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    sb.append('"');
  }
}
