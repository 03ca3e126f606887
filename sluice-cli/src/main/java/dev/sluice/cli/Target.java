package dev.sluice.cli;

import dev.sluice.cli.client.ApiClient;
import dev.sluice.cli.client.ApiClient.ApiException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** How a command finds the daemon: {@code --state-dir}, or {@code --server} and {@code --token}. */
final class Target {
  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "the daemon's state directory (default: ./.sluice)")
  @Nullable Path stateDir;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "the control API's URL, e.g. http://127.0.0.1:9090 (default: from the state directory)")
  @Nullable String server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "API token (default: <state-dir>/admin.token, or $SLUICE_TOKEN)")
  @Nullable String token;

  @Option(
      names = "--cacert",
      paramLabel = "PEM",
      description = "trust this certificate for an HTTPS control API (or $SLUICE_CACERT)")
  @Nullable Path caCert;

  ApiClient client() throws ApiException {
    String url = server != null ? server : System.getenv("SLUICE_SERVER");
    String t = token != null ? token : System.getenv("SLUICE_TOKEN");
    Path ca =
        caCert != null
            ? caCert
            : System.getenv("SLUICE_CACERT") == null
                ? null
                : Path.of(System.getenv("SLUICE_CACERT"));
    if (url != null) {
      return new ApiClient(url, t, ca);
    }
    ApiClient fromDir = ApiClient.forStateDir(stateDir == null ? Path.of(".sluice") : stateDir, ca);
    return t == null ? fromDir : new ApiClient(fromDir.base(), t, ca);
  }
}
