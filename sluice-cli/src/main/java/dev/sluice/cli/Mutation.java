package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ApiClient;
import dev.sluice.cli.client.ApiClient.ApiException;

/** A command that posts one change and prints the decisions it caused. */
final class Mutation {
  private Mutation() {}

  static int call(Target target, String app, String action, ObjectNode body) {
    try {
      ApiClient client = target.client();
      long since = client.get("/api/v1/apps/" + app).path("lastEvent").asLong();
      JsonNode a = client.post("/api/v1/apps/" + app + "/" + action, body);
      for (JsonNode e :
          client.get("/api/v1/apps/" + app + "/history?after=" + since).path("events")) {
        System.out.println(e.path("description").asText());
      }
      System.out.println(app + ": traffic " + Printer.weights(a.path("weights")));
      return 0;
    } catch (ApiException e) {
      System.err.println(e.getMessage());
      return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
    }
  }
}
