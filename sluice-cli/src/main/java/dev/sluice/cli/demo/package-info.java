/** The demo, the sample app it releases, and the load generator that counts failed requests. */
@NullMarked
package dev.sluice.cli.demo;

import org.jspecify.annotations.NullMarked;
