package dev.sluice.server.auth;

/** The holder of a valid token: its name (recorded in the event log) and role. */
public record Principal(String name, Role role) {}
