/** The Sluice daemon: controller, control API and the parts they drive. */
@NullMarked
package dev.sluice.server;

import org.jspecify.annotations.NullMarked;
