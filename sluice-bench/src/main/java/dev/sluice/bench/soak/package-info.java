/**
 * The soak test: a real daemon under steady load for a long time, with a release every minute
 * (alternately promoted and rolled back) and replica processes killed at random; it reports failed
 * requests by kind, release outcomes and the daemon's memory over time.
 */
@NullMarked
package dev.sluice.bench.soak;

import org.jspecify.annotations.NullMarked;
