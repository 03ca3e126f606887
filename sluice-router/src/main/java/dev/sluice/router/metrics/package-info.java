/** Per-version request metrics: sliding windows for analysis and Prometheus text export. */
@NullMarked
package dev.sluice.router.metrics;

import org.jspecify.annotations.NullMarked;
