package dev.sluice.core.release;

/** A release that went live: its number, version and the spec snapshot it ran with. */
public record Revision(int number, String version, String spec) {}
