package dev.sluice.core.spec;

/**
 * Where the daemon's feature flags come from besides the API: a flagd-format JSON file, watched and
 * reloaded when it changes (for flags kept in git).
 *
 * @param file the file, relative to the spec file's directory
 */
public record FlagsSpec(String file) {}
