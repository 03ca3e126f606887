/**
 * flagd's custom targeting operations ({@code fractional}, {@code sem_ver}, {@code starts_with},
 * {@code ends_with}) with flagd's semantics. Internal: may change at any time.
 */
@NullMarked
package dev.sluice.flags.internal.flagd;

import org.jspecify.annotations.NullMarked;
