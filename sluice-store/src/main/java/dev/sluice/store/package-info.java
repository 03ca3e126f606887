/** Persistence: JDBC, Flyway migrations, SQLite and PostgreSQL. */
@NullMarked
package dev.sluice.store;

import org.jspecify.annotations.NullMarked;
