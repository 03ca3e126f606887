/**
 * A compiler from JSON Logic rules to trees of evaluator nodes, with JSON Logic's truthiness and
 * coercion rules. Internal: may change at any time.
 *
 * <p>Runtime values are plain Java objects: {@code null}, {@link java.lang.Boolean}, {@link
 * java.lang.Double} (JSON Logic, like JavaScript, has one number type), {@link java.lang.String},
 * {@link java.util.List} and {@link java.util.Map}.
 */
@NullMarked
package dev.sluice.flags.internal.logic;

import org.jspecify.annotations.NullMarked;
