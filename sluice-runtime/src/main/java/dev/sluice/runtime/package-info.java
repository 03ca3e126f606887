/** Where versions run: supervised local processes and static endpoints. */
@NullMarked
package dev.sluice.runtime;

import org.jspecify.annotations.NullMarked;
