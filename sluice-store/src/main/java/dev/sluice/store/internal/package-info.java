/** JDBC implementation of the store and the event codec. Internal: may change at any time. */
@NullMarked
package dev.sluice.store.internal;

import org.jspecify.annotations.NullMarked;
