package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ApiClient.ApiException;
import dev.sluice.server.api.Json;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice token create|list|revoke}. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    header = "Create, list and revoke API tokens (needs an admin token).",
    description = {
      "Roles: viewer reads; operator also deploys, promotes, aborts, rolls back and edits flags;",
      "admin also manages tokens; client only evaluates flags (for apps and OpenFeature SDKs)."
    },
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
final class TokenCommand implements Runnable {
  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      header = "Create a token; its text is shown once.")
  static final class Create implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "client, viewer, operator or admin")
    String role;

    @Option(
        names = "--environment",
        paramLabel = "ENV",
        description = "the flag environment this token's evaluations use, e.g. production")
    @Nullable String environment;

    @Mixin Target target;

    @Override
    public Integer call() {
      try {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", name).put("role", role);
        if (environment != null) {
          body.put("environment", environment);
        }
        JsonNode t = target.client().post("/api/v1/tokens", body);
        System.out.println(t.path("token").asText());
        System.err.println(
            "token "
                + name
                + " ("
                + role
                + (environment == null ? "" : ", environment " + environment)
                + ") created; it is not shown again");
        return 0;
      } catch (ApiException e) {
        System.err.println(e.getMessage());
        return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
      }
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      header = "List tokens (never their text).")
  static final class ListTokens implements Callable<Integer> {
    @Mixin Target target;

    @Override
    public Integer call() {
      try {
        for (JsonNode t : target.client().get("/api/v1/tokens").path("tokens")) {
          System.out.printf(
              "%-20s %-9s %-12s created %s%s%n",
              t.path("name").asText(),
              t.path("role").asText(),
              t.path("environment").isTextual() ? t.path("environment").asText() : "-",
              t.path("createdAt").asText(),
              t.path("revokedAt").isNull() ? "" : "  revoked " + t.path("revokedAt").asText());
        }
        return 0;
      } catch (ApiException e) {
        System.err.println(e.getMessage());
        return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, header = "Revoke a token at once.")
  static final class Revoke implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Mixin Target target;

    @Override
    public Integer call() {
      try {
        target.client().delete("/api/v1/tokens/" + name);
        System.out.println("token " + name + " revoked");
        return 0;
      } catch (ApiException e) {
        System.err.println(e.getMessage());
        return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
      }
    }
  }
}
