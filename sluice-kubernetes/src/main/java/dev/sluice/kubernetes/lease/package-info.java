/**
 * Leader election on a Kubernetes Lease, so that of several Sluice pods only one decides at a time.
 */
@NullMarked
package dev.sluice.kubernetes.lease;

import org.jspecify.annotations.NullMarked;
