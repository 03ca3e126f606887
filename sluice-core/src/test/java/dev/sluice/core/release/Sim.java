package dev.sluice.core.release;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.Observations.HookOutcome;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.core.time.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Drives the pure release machinery the way the controller does, with a fake clock. */
final class Sim {
  final FakeClock clock = FakeClock.at(Instant.parse("2026-01-01T00:00:00Z"));
  final List<EventRecord> log = new ArrayList<>();
  final Map<String, VersionHealth> health = new HashMap<>();
  final List<HookOutcome> hooks = new ArrayList<>();
  AppSpec spec;
  AppState state;

  Sim(String yaml) throws Exception {
    spec = SpecParser.parse(yaml, "test.yaml").apps().get(0);
    state = AppState.empty(spec.name());
  }

  void healthy(String version, int n) {
    health.put(version, new VersionHealth(n, n, ""));
  }

  void unhealthy(String version, int running, int healthy, String detail) {
    health.put(version, new VersionHealth(running, healthy, detail));
  }

  /** Runs the controller's decide loop once at the current time. */
  Sim tick() throws Exception {
    // replicas of stopped versions are gone
    health.keySet().retainAll(state.versions().keySet());
    state =
        Decider.settle(
            state,
            new Observations(health, hooks),
            clock.instant(),
            (before, events) -> append(events));
    health.keySet().retainAll(state.versions().keySet());
    return this;
  }

  Sim after(Duration d) throws Exception {
    clock.advance(d);
    return tick();
  }

  AppState append(List<Event> events) {
    List<EventRecord> records = state.next(events, clock.instant());
    log.addAll(records);
    for (EventRecord r : records) {
      state = state.apply(r);
    }
    return state;
  }

  Sim deploy(String version) throws Exception {
    append(Commands.deploy(state, spec, version, false, "test"));
    return tick();
  }

  List<String> types() {
    return log.stream().map(r -> r.event().type()).toList();
  }

  List<String> typesSince(int from) {
    return types().subList(from, log.size());
  }
}
