/**
 * The router's implementation: proxy handlers, pools, selection, health checking, metrics storage.
 * It may change at any time; use the types of {@code dev.sluice.router} and its feature packages
 * instead.
 */
@NullMarked
package dev.sluice.router.internal;

import org.jspecify.annotations.NullMarked;
