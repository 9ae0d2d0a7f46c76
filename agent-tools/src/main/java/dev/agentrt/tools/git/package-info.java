/**
 * Git tools on JGit for one repository: status, diff, log, show, branch, add, commit, a patch series with a
 * pull-request description, and (only when asked for) push. Start at {@link dev.agentrt.tools.git.GitTools}.
 */
@NullMarked
package dev.agentrt.tools.git;

import org.jspecify.annotations.NullMarked;
