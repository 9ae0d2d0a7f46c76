package dev.agentrt.tools.internal.git;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.EmptyCommitException;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.IOException;
import java.util.List;

/**
 * {@code git_commit}: records the index as a commit on the current branch. Hooks never run (the repository's file
 * system runs no program, and {@code --no-verify} is set), and nothing is signed.
 */
final class CommitTool extends GitTool {
    static final String NAME = "git_commit";
    /** The custom capability a commit needs besides writing {@code .git}, scoped to the repository's path. */
    static final String CAPABILITY = "git:commit";

    CommitTool(GitSettings settings) {
        super(settings, NAME, """
                Commit the staged changes (see git_add) on the current branch with `message`: a short subject \
                line, then optionally a blank line and a body explaining why. Returns the new commit's id.""", """
                {"type":"object","properties":{
                  "message":{"type":"string","minLength":1,"description":"the commit message"}},
                 "required":["message"],"additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(readRepository(), writeGitDir(),
                Capability.custom(CAPABILITY, settings.root().toString()));
    }

    @Override
    ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException, GitAPIException {
        Repository repo = git.getRepository();
        String message = arguments.getString("message").orElseThrow().strip();
        if (message.isEmpty()) {
            throw GitException.invalid("the commit message is empty");
        }
        String name = settings.authorName() != null
                ? settings.authorName()
                : repo.getConfig().getString("user", null, "name");
        String email = settings.authorEmail() != null
                ? settings.authorEmail()
                : repo.getConfig().getString("user", null, "email");
        if (name == null || name.isBlank() || email == null) {
            throw GitException.failed("No author identity: the application sets one with GitTools.builder(repo)"
                    + ".author(name, email), or the repository's configuration with user.name and user.email. "
                    + "Nothing was committed.");
        }
        var ident = new PersonIdent(name, email, settings.clock().instant(), settings.zone());
        RevCommit c;
        try {
            c = git.commit()
                    .setMessage(message + "\n")
                    .setAuthor(ident)
                    .setCommitter(ident)
                    .setNoVerify(true)
                    .setSign(false)
                    .setAllowEmpty(false)
                    .call();
        } catch (EmptyCommitException e) {
            throw GitException.invalid("nothing is staged: stage changes with git_add first (git_status shows them)");
        }
        return ToolResult.text("Committed " + c.abbreviate(7).name() + " on " + repo.getBranch() + ": "
                + c.getShortMessage());
    }
}
