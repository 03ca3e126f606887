/**
 * Details of the process supervisor: reading the process table, walking process trees, picking
 * ports, finding programs. May change at any time; not for use outside this module.
 */
@NullMarked
package dev.sluice.runtime.process.internal;

import org.jspecify.annotations.NullMarked;
