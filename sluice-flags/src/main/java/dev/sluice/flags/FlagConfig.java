package dev.sluice.flags;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * How a flag is configured in one environment once its overrides are applied: what a flagd consumer
 * would see there.
 *
 * @param state whether the flag is served
 * @param defaultVariant the variant served when targeting chooses none; empty for the caller's
 *     default
 * @param targeting the JSON Logic rule as written; empty when there is none
 */
public record FlagConfig(
    FlagState state, Optional<String> defaultVariant, Optional<JsonNode> targeting) {}
