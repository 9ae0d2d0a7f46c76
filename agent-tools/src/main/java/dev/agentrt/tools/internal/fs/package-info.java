/**
 * Implementation of {@code dev.agentrt.tools.fs}: path confinement, no-follow directory traversal
 * and the file-system tools themselves. Not API: users must not import anything from here.
 */
@NullMarked
package dev.agentrt.tools.internal.fs;

import org.jspecify.annotations.NullMarked;
