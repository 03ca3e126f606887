/**
 * Parsing, validation, compilation and serialization of flag sets behind the public {@code
 * dev.sluice.flags} types. Internal: may change at any time.
 */
@NullMarked
package dev.sluice.flags.internal;

import org.jspecify.annotations.NullMarked;
