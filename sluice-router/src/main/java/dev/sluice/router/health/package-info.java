/** Active HTTP health checks of upstream replicas and their health events. */
@NullMarked
package dev.sluice.router.health;

import org.jspecify.annotations.NullMarked;
