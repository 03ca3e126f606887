package dev.sluice.cli;

import dev.sluice.core.spec.HostPort;
import dev.sluice.server.ha.SharingOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of {@code up} and {@code router} that say where the store is and how this process
 * shares it: {@code --store} and {@code --app-listen}.
 */
final class SharingMixin {
  @Option(
      names = "--store",
      paramLabel = "URL",
      description = {
        "where state lives: postgres://USER:PASSWORD@HOST:PORT/DB (several Sluice processes",
        "share it and elect a leader; the password may come from $SLUICE_STORE_PASSWORD",
        "instead), sqlite:PATH or a file path (default: sluice.db in the state directory)"
      })
  String store;

  @Option(
      names = "--app-listen",
      paramLabel = "APP=HOST:PORT",
      description = {
        "listen for APP's users here instead of at the spec's address (repeatable): each",
        "process of a group on one host needs its own addresses"
      })
  List<String> appListen = List.of();

  /** Turns the options into sharing options, or a message for the user. */
  SharingOptions sharing() throws BadOption {
    Map<String, HostPort> listen = new LinkedHashMap<>();
    for (String a : appListen) {
      int eq = a.indexOf('=');
      HostPort at = eq > 0 ? HostPort.parse(a.substring(eq + 1)) : null;
      if (at == null) {
        throw new BadOption(
            "--app-listen: \"" + a + "\" (expected: APP=HOST:PORT, e.g. shop=127.0.0.1:18081)");
      }
      if (listen.put(a.substring(0, eq), at) != null) {
        throw new BadOption("--app-listen: " + a.substring(0, eq) + " is given twice");
      }
    }
    return SharingOptions.NONE.withStore(store).withAppListen(listen);
  }

  /** An option value that cannot be used; the message says which and why. */
  static final class BadOption extends Exception {
    private static final long serialVersionUID = 1L;

    BadOption(String message) {
      super(message, null, false, false);
    }
  }
}
