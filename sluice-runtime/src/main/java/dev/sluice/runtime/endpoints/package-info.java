/**
 * The {@code static} runtime: versions whose replicas the user runs somewhere, known to Sluice only
 * by their URLs.
 */
@NullMarked
package dev.sluice.runtime.endpoints;

import org.jspecify.annotations.NullMarked;
