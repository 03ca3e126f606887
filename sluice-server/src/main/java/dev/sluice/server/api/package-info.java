/** The REST/JSON control API, its authentication and its views of the controller's state. */
@NullMarked
package dev.sluice.server.api;

import org.jspecify.annotations.NullMarked;
