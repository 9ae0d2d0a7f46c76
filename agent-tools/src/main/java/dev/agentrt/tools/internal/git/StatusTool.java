package dev.agentrt.tools.internal.git;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.submodule.SubmoduleWalk;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** {@code git_status}: the branch, what is staged, what is changed but not staged, what is untracked. */
final class StatusTool extends GitTool {
    static final String NAME = "git_status";

    StatusTool(GitSettings settings) {
        super(settings, NAME, """
                Show the working tree status of the repository: the current branch, changes staged for the next \
                commit, changes not staged, untracked files and conflicts, like `git status`.""", """
                {"type":"object","properties":{},"additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(readRepository());
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException, GitAPIException {
        Repository repo = git.getRepository();
        Status st = git.status()
                .setWorkingTreeIt(new WorkTreeIterator(repo))
                .setIgnoreSubmodules(SubmoduleWalk.IgnoreSubmoduleMode.ALL)
                .call();
        var out = new StringBuilder();
        String branch = repo.getBranch();
        out.append(repo.resolve("HEAD") == null
                ? "On branch " + branch + " (no commits yet)"
                : repo.getFullBranch() != null && repo.getFullBranch().startsWith("refs/heads/")
                        ? "On branch " + branch
                        : "HEAD detached at " + branch)
                .append('\n');
        section(out, "Changes staged for commit", List.of(tagged("new file", st.getAdded()),
                tagged("modified", st.getChanged()), tagged("deleted", st.getRemoved())));
        section(out, "Changes not staged for commit", List.of(tagged("modified", st.getModified()),
                tagged("deleted", st.getMissing())));
        section(out, "Unmerged paths", List.of(tagged("both modified", st.getConflicting())));
        section(out, "Untracked files", List.of(tagged("", st.getUntracked())));
        if (st.isClean()) {
            out.append("nothing to commit, working tree clean\n");
        }
        String text = out.toString();
        if (text.length() > settings.maxOutputChars()) {
            text = text.substring(0, settings.maxOutputChars()) + "\n[... truncated: " + (text.length()
                    - settings.maxOutputChars()) + " more characters]";
        }
        return ToolResult.text(text.stripTrailing());
    }

    private record Tagged(String tag, Set<String> paths) {}

    private static Tagged tagged(String tag, Set<String> paths) {
        return new Tagged(tag, new TreeSet<>(paths));
    }

    private static void section(StringBuilder out, String title, List<Tagged> parts) {
        if (parts.stream().allMatch(p -> p.paths().isEmpty())) {
            return;
        }
        out.append(title).append(":\n");
        for (Tagged p : parts) {
            for (String path : p.paths()) {
                out.append("  ").append(p.tag().isEmpty() ? "" : p.tag() + ":   ").append(path).append('\n');
            }
        }
    }
}
