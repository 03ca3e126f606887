/**
 * The Java model of the Release custom resource, for the client's serialization. Internal: may
 * change at any time.
 */
@NullMarked
package dev.sluice.kubernetes.release.internal;

import org.jspecify.annotations.NullMarked;
