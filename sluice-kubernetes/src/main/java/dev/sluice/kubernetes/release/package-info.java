/**
 * The {@code Release} custom resource ({@code sluice.dev/v1alpha1}): a {@code kubectl apply} of a
 * Release starts a deploy, and its status follows the release, so GitOps tools can drive Sluice.
 */
@NullMarked
package dev.sluice.kubernetes.release;

import org.jspecify.annotations.NullMarked;
