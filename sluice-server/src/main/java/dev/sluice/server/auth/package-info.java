/** Who may do what: API tokens, their roles, and checking a request's credentials. */
@NullMarked
package dev.sluice.server.auth;

import org.jspecify.annotations.NullMarked;
