package dev.sluice.server.api;

import dev.sluice.core.spec.SpecException;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.core.spec.internal.Problems;
import dev.sluice.core.spec.internal.YamlValue;
import dev.sluice.core.spec.internal.YamlValue.Fields;
import dev.sluice.server.auth.Role;
import dev.sluice.server.auth.Tokens;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads the JSON bodies of API calls with the same reader as specs, so a bad body gets the same
 * kind of message: {@code request body:1:13: version: 42 (expected: a version: ...)}.
 */
final class Bodies {

  private Bodies() {}

  record Deploy(String version, boolean force) {}

  record Promote(boolean full) {}

  record Rollback(@Nullable String to) {}

  record NewToken(String name, Role role, @Nullable String environment) {}

  static NewToken newToken(String body) {
    return read(
        body,
        v -> {
          Fields f =
              v.fields(
                  "a JSON object with name, role and environment", "name", "role", "environment");
          String name =
              f.get("name")
                  .string(Tokens.NAME, "a token name: lower-case letters, digits, '.', '_', '-'");
          String role =
              f.get("role")
                  .string(
                      java.util.regex.Pattern.compile("client|viewer|operator|admin"),
                      "one of client, viewer, operator, admin");
          YamlValue env = f.get("environment");
          String environment =
              env.present()
                  ? env.string(
                      Tokens.ENVIRONMENT, "a flag environment name: letters, digits, '.', '_', '-'")
                  : null;
          return name == null || role == null
              ? null
              : new NewToken(name, Role.parse(role).orElseThrow(), environment);
        });
  }

  static Deploy deploy(String body) {
    return read(
        body,
        v -> {
          Fields f = v.fields("a JSON object with version and force", "version", "force");
          String version =
              f.get("version").string(SpecParser.VERSION_NAME, SpecParser.VERSION_EXPECTED);
          boolean force = f.get("force").bool(false);
          return version == null ? null : new Deploy(version, force);
        });
  }

  static Promote promote(String body) {
    return read(
        body,
        v -> new Promote(v.fields("a JSON object with full", "full").get("full").bool(false)));
  }

  static Rollback rollback(String body) {
    return read(
        body,
        v -> {
          YamlValue to = v.fields("a JSON object with to", "to").get("to");
          return new Rollback(
              to.present()
                  ? to.string(SpecParser.VERSION_NAME, SpecParser.VERSION_EXPECTED)
                  : null);
        });
  }

  static void empty(String body) {
    read(body, v -> v.fields("an empty JSON object"));
  }

  private interface Reader<T> {
    @Nullable T read(YamlValue root);
  }

  private static <T> T read(String body, Reader<T> reader) {
    Problems problems = new Problems("request body");
    String text = body.isBlank() ? "{}" : body;
    Node root = SpecParser.compose(text, problems);
    T value = root == null ? null : reader.read(YamlValue.root(root, problems));
    try {
      problems.throwIfAny();
    } catch (SpecException e) {
      throw new ApiError(400, e.getMessage(), e.problems());
    }
    if (value == null) {
      throw new ApiError(400, "request body: not a JSON object (expected: a JSON object)");
    }
    return value;
  }
}
