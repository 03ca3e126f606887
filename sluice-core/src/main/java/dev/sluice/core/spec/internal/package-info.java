/**
 * How specs are read: a YAML tree with source positions and a reader that collects problems.
 * Internal: may change at any time.
 */
@NullMarked
package dev.sluice.core.spec.internal;

import org.jspecify.annotations.NullMarked;
