/**
 * Canary analysis against live data: the metric providers (the router's own windows, Prometheus, an
 * HTTP endpoint, a command) and the {@link dev.sluice.server.analysis.Analyzer} that measures every
 * metric of an analysis in parallel and scores the result with the pure rules of {@code
 * dev.sluice.core.analysis}.
 */
@NullMarked
package dev.sluice.server.analysis;

import org.jspecify.annotations.NullMarked;
