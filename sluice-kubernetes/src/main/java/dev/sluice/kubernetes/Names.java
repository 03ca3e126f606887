package dev.sluice.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The names and labels Sluice gives the objects of an app on Kubernetes.
 *
 * <p>Each version is a Deployment named {@code <app>-<hash>}, where the hash is the first 10 hex
 * digits of the SHA-256 of the version name: a version may hold characters (capitals, '_', a
 * trailing '.') that object names forbid, and the hash stays the same across restarts. Its pods
 * carry {@code app: <app>} and {@code sluice.dev/version: <version>} (the hash when the version is
 * not a valid label value); the Deployment also carries {@code sluice.dev/role} ({@code stable},
 * {@code canary} or {@code preview}) and the full version name in the annotation {@code
 * sluice.dev/version}.
 */
public final class Names {
  /** The app label, on Deployments, pods and Services' selectors. */
  public static final String APP = "app";

  /** The version label (pods and Deployments) and annotation (Deployments: the exact name). */
  public static final String VERSION = "sluice.dev/version";

  /** The role label of a version's Deployment: stable, canary or preview. */
  public static final String ROLE = "sluice.dev/role";

  /** The release that first started a version, as an annotation on its Deployment. */
  public static final String REVISION = "sluice.dev/revision";

  /** Marks what Sluice created and may delete. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String SLUICE = "sluice";

  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]");

  /** Deployment names stay DNS labels: 63 characters, room for the dash and the hash. */
  private static final int APP_PART = 63 - 11;

  private Names() {}

  /** The Deployment of {@code version} of {@code app}: {@code shop-3f2a9c81d0}. */
  public static String deployment(String app, String version) {
    String prefix = app.length() > APP_PART ? app.substring(0, APP_PART) : app;
    while (prefix.endsWith("-")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return prefix + "-" + hash(version);
  }

  /** The value of the version label: the version itself when it is a valid label value. */
  public static String versionLabel(String version) {
    return LABEL_VALUE.matcher(version).matches() ? version : hash(version);
  }

  /** The labels that select the pods of one version. */
  public static Map<String, String> selector(String app, String version) {
    return Map.of(APP, app, VERSION, versionLabel(version));
  }

  /** A short stable hash of a version name: 10 hex digits of its SHA-256. */
  public static String hash(String version) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(version.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
