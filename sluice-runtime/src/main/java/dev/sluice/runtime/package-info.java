/**
 * Where versions of an app run: {@link dev.sluice.runtime.VersionRuntime} lists the endpoints of a
 * version, whether Sluice supervises its processes ({@code process}) or the user runs them ({@code
 * static}).
 */
@NullMarked
package dev.sluice.runtime;

import org.jspecify.annotations.NullMarked;
