/** Webhook notifications of release milestones. */
@NullMarked
package dev.sluice.server.notify;

import org.jspecify.annotations.NullMarked;
