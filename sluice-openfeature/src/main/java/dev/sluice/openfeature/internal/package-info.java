/**
 * How the provider talks to the server and converts between OpenFeature's types and the engine's.
 * Not an API: anything here may change at any time.
 */
@NullMarked
package dev.sluice.openfeature.internal;

import org.jspecify.annotations.NullMarked;
