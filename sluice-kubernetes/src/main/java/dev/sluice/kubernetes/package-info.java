/**
 * Sluice on Kubernetes: {@link dev.sluice.kubernetes.KubernetesPlatform} runs each version of an
 * app as a Deployment and moves traffic with a Service selector, a Gateway API HTTPRoute, an Istio
 * VirtualService or the ratio of replicas.
 */
@NullMarked
package dev.sluice.kubernetes;

import org.jspecify.annotations.NullMarked;
