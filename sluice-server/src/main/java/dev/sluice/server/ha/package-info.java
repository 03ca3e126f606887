/**
 * Several Sluice processes on one shared store (PostgreSQL): one leader, elected with a lease in
 * the store whose epoch fences the leader's appends ({@link dev.sluice.server.ha.StoreLeadership});
 * followers that route by the leader's decisions as they appear in the event log ({@link
 * dev.sluice.server.ha.StandbyPlatform}) and take over when the leader goes; a read-only API on
 * followers ({@link dev.sluice.server.ha.FollowerGuard}).
 */
@NullMarked
package dev.sluice.server.ha;

import org.jspecify.annotations.NullMarked;
