package dev.sluice.flags.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.FlagState;
import dev.sluice.flags.internal.logic.Node;
import org.jspecify.annotations.Nullable;

/**
 * How a flag is served in one environment (or in none, the base definition): its state, default
 * variant and compiled targeting, after the environment's overrides.
 *
 * @param state whether the flag is served
 * @param defaultVariant the default variant's name, or null for the caller's default
 * @param defaultIndex the default variant's position among the variants, or -1
 * @param targeting the compiled targeting, or null when there is none (an empty object included)
 * @param targetingJson the targeting as written, or null
 */
public record Plan(
    FlagState state,
    @Nullable String defaultVariant,
    int defaultIndex,
    @Nullable Node targeting,
    @Nullable JsonNode targetingJson) {}
