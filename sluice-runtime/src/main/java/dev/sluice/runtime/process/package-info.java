/**
 * The {@code process} runtime: replicas of a version run as local child processes that a {@link
 * dev.sluice.runtime.process.ProcessSupervisor} starts, restarts with backoff, stops with their
 * whole process tree, and can re-adopt after the daemon itself was killed.
 */
@NullMarked
package dev.sluice.runtime.process;

import org.jspecify.annotations.NullMarked;
