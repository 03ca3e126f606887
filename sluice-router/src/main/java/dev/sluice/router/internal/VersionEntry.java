package dev.sluice.router.internal;

/** One version of a compiled table: its weight, replica states and metrics. */
final class VersionEntry {
  final String name;
  final int weight;
  final EndpointState[] replicas;
  final VersionMetrics metrics;

  /**
   * Rotation counter for round robin and tie-breaking. Shared by event loops without
   * synchronisation on purpose: a lost update only skews one choice.
   */
  int next;

  VersionEntry(String name, int weight, EndpointState[] replicas, VersionMetrics metrics) {
    this.name = name;
    this.weight = weight;
    this.replicas = replicas;
    this.metrics = metrics;
  }
}
