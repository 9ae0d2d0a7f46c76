package dev.agentrt.tools.internal.git;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.AddCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code git_add}: stage new, changed and deleted files under the given paths, like {@code git add <paths>}. */
final class AddTool extends GitTool {
    static final String NAME = "git_add";

    AddTool(GitSettings settings) {
        super(settings, NAME, """
                Stage changes for the next commit, like `git add`: new, modified and deleted files under each \
                path (a file or a directory; "." for the whole repository). Paths are relative to the repository \
                and use '/'. A path through a symbolic link is refused; a link itself is staged as a link.""", """
                {"type":"object","properties":{
                  "paths":{"type":"array","minItems":1,"items":{"type":"string","minLength":1},
                           "description":"files or directories to stage, relative to the repository"}},
                 "required":["paths"],"additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        var caps = new ArrayList<Capability>();
        for (String raw : strings(arguments, "paths")) {
            caps.add(Capability.fileRead(absolute(relative(raw, "path"))));
        }
        caps.add(writeGitDir());
        return caps;
    }

    @Override
    ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException, GitAPIException {
        var patterns = new ArrayList<String>();
        for (String raw : strings(arguments, "paths")) {
            List<String> names = relative(raw, "path");
            Repo.noLinkOnTheWay(settings.root(), names, false, Repo.quote(raw));
            patterns.add(names.isEmpty() ? "." : String.join("/", names));
        }
        AddCommand add = git.add().setWorkingTreeIterator(new WorkTreeIterator(git.getRepository()));
        AddCommand removals = git.add()
                .setUpdate(true)
                .setWorkingTreeIterator(new WorkTreeIterator(git.getRepository()));
        for (String p : patterns) {
            add.addFilepattern(p);
            removals.addFilepattern(p);
        }
        add.call();
        removals.call();
        return ToolResult.text("Staged the changes under " + String.join(", ", patterns)
                + ". Review them with git_diff staged=true, then git_commit.");
    }
}
