/**
 * The dashboard: web pages served by the control API at {@code /} (apps, a live release page,
 * flags), their JSON and server-sent events under {@code /ui/api}, token login with a cookie, and
 * the per-second series of every version's traffic that the charts draw.
 */
@NullMarked
package dev.sluice.server.dashboard;

import org.jspecify.annotations.NullMarked;
