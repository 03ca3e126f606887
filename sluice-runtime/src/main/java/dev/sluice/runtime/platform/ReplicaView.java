package dev.sluice.runtime.platform;

/**
 * One replica of a version as people see it: where it listens, its process (or pod), and whether it
 * gets traffic.
 *
 * @param pid the process id, or -1 where there is none (static endpoints, pods)
 * @param state e.g. {@code running}, {@code backoff}, {@code stopping}, {@code static}, {@code
 *     ready}
 */
public record ReplicaView(
    int index, String host, int port, long pid, String state, int restarts, boolean healthy) {}
