/**
 * An OpenFeature provider for Java apps that read Sluice flags: {@link
 * dev.sluice.openfeature.SluiceProvider} evaluates in process with Sluice's engine and follows the
 * server's change stream.
 */
@NullMarked
package dev.sluice.openfeature;

import org.jspecify.annotations.NullMarked;
