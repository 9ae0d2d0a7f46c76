/**
 * Implementation of {@code dev.agentrt.tools.git}: opening a repository only after checking it through the
 * confinement layer, a JGit file system that never runs a command (hooks, filters, local transports), and the git
 * tools themselves. Not API: users must not import anything from here.
 */
@NullMarked
package dev.agentrt.tools.internal.git;

import org.jspecify.annotations.NullMarked;
