package dev.agentrt.tools.internal.git;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteConfig;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * {@code git_push}: a branch to the one bare repository the application named, never forced. The transport is
 * opened on that path directly (no remote of the repository's configuration, no {@code insteadOf} rewriting) and
 * receives in process on the file system that runs no program.
 */
final class PushTool extends GitTool {
    static final String NAME = "git_push";
    private final Path remote;

    PushTool(GitSettings settings) {
        super(settings, NAME, """
                Push a branch (default: the current one) to the project's remote repository, under the same \
                name. Never forces: a push that is not a fast-forward is rejected.""",
                """
                        {"type":"object","properties":{
                          "branch":{"type":"string","minLength":1,"description":"the local branch to push (default: the current branch)"}},
                         "additionalProperties":false}""");
        this.remote = Objects.requireNonNull(settings.pushRemote(), "pushRemote");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(readRepository(), Capability.fileWrite(remote));
    }

    @Override
    ToolResult run(Git git, JsonObject arguments) throws IOException {
        Repository repo = git.getRepository();
        String branch = arguments.getString("branch").orElse(null);
        if (branch == null) {
            String full = repo.getFullBranch();
            if (full == null || !full.startsWith(Constants.R_HEADS)) {
                throw GitException.invalid("HEAD is not on a branch; name the branch to push");
            }
            branch = Repository.shortenRefName(full);
        }
        String ref = Constants.R_HEADS + branch;
        if (branch.startsWith("-") || !Repository.isValidRefName(ref)) {
            throw GitException.invalid(Repo.quote(branch) + " is not a valid branch name");
        }
        Ref local = repo.exactRef(ref);
        if (local == null) {
            throw GitException.invalid("there is no branch named " + branch);
        }
        Repo.checkBare(remote);
        URIish uri = new URIish().setScheme("file").setPath(remote.toString());
        try (Transport t = Transport.open(repo, uri)) {
            t.setOptionReceivePack(RemoteConfig.DEFAULT_RECEIVE_PACK);
            var update = new RemoteRefUpdate(repo, ref, ref, false, null, null);
            PushResult result = t.push(NullProgressMonitor.INSTANCE, List.of(update));
            RemoteRefUpdate done = result.getRemoteUpdate(ref);
            return switch (done.getStatus()) {
                case OK -> ToolResult.text("Pushed " + branch + " (" + local.getObjectId().abbreviate(7).name()
                        + ") to the remote.");
                case UP_TO_DATE -> ToolResult.text("The remote's " + branch + " is already up to date.");
                case REJECTED_NONFASTFORWARD -> throw GitException.invalid("the remote's " + branch + " has commits "
                        + "this branch does not; the push was rejected (it is never forced)");
                default -> throw GitException.failed("the push of " + branch + " failed: " + done.getStatus()
                        + (done.getMessage() == null ? "" : " (" + done.getMessage() + ")"));
            };
        }
    }
}
