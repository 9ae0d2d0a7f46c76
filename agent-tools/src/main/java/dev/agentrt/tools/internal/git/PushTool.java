package dev.agentrt.tools.internal.git;

import dev.agentrt.core.AgentException;
import dev.agentrt.core.egress.Egress;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteConfig;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code git_push}: a branch to the one remote the application named, never forced. The transport is opened on that
 * remote directly (no remote of the repository's configuration, no {@code insteadOf} rewriting). A bare repository
 * on this machine receives in process on the file system that runs no program; a smart-HTTP(S) remote is reached
 * through agent-core's egress layer only ({@link EgressHttp}), under the task's {@code Net} grant for its host and
 * port.
 */
final class PushTool extends GitTool {
    static final String NAME = "git_push";
    private final @Nullable Path remote;
    private final @Nullable HttpRemote http;

    PushTool(GitSettings settings) {
        super(settings, NAME, """
                Push a branch (default: the current one) to the project's remote repository, under the same \
                name. Never forces: a push that is not a fast-forward is rejected.""",
                """
                        {"type":"object","properties":{
                          "branch":{"type":"string","minLength":1,"description":"the local branch to push (default: the current branch)"}},
                         "additionalProperties":false}""");
        this.remote = settings.pushRemote();
        this.http = settings.httpRemote();
        if ((remote == null) == (http == null)) {
            throw new IllegalArgumentException("git_push needs exactly one remote");
        }
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return http != null
                ? List.of(readRepository(), http.target().capability())
                : List.of(readRepository(), Capability.fileWrite(Objects.requireNonNull(remote)));
    }

    @Override
    ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException {
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
        var update = new RemoteRefUpdate(repo, ref, ref, false, null, null);
        RemoteRefUpdate done = http != null ? pushHttp(repo, http, update, context) : pushLocal(repo, update);
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

    private RemoteRefUpdate pushLocal(Repository repo, RemoteRefUpdate update) throws IOException {
        Path bare = Objects.requireNonNull(remote);
        Repo.checkBare(bare);
        URIish uri = new URIish().setScheme("file").setPath(bare.toString());
        try (Transport t = Transport.open(repo, uri)) {
            t.setOptionReceivePack(RemoteConfig.DEFAULT_RECEIVE_PACK);
            PushResult result = t.push(NullProgressMonitor.INSTANCE, List.of(update));
            return result.getRemoteUpdate(update.getRemoteName());
        }
    }

    private static RemoteRefUpdate pushHttp(Repository repo, HttpRemote remote, RemoteRefUpdate update,
            ToolContext context) throws IOException {
        noCookieFile(repo.getConfig());
        URIish uri;
        try {
            uri = new URIish(remote.target().uri().toString());
        } catch (URISyntaxException e) {
            throw GitException.failed("the push remote " + remote.target() + " is not a URL JGit reads: "
                    + e.getMessage());
        }
        var egress = new EgressHttp(remote, context);
        try (Transport t = Transport.open(repo, uri)) {
            if (!(t instanceof TransportHttp th)) {
                throw GitException.failed("JGit opened " + remote.target() + " with " + t.getClass().getSimpleName()
                        + ", not its HTTP transport");
            }
            // This transport's own factory: agentrt's policy is never made JGit's global one.
            th.setHttpConnectionFactory(egress);
            th.setCredentialsProvider(EgressHttp.noCredentials());
            PushResult result = th.push(NullProgressMonitor.INSTANCE, List.of(update));
            return result.getRemoteUpdate(update.getRemoteName());
        } catch (IOException e) {
            throw explain(e, egress, remote);
        }
    }

    /** The failure of an HTTP push, said in terms of what the application and the model can act on. */
    private static GitException explain(IOException e, EgressHttp egress, HttpRemote remote) {
        AgentException refusal = egress.refusal();
        if (refusal instanceof GitException g) {
            return g;
        }
        if (refusal != null) {
            ToolResult r = Egress.errorResult(refusal);
            return new GitException(Objects.requireNonNullElse(r.errorKind(), ToolErrorKind.EXECUTION_FAILED),
                    r.content());
        }
        if (!(e instanceof TransportException)) {
            return GitException.failed("the push to " + remote.target().uri() + " failed: " + e.getMessage());
        }
        String where = remote.target().uri().toString();
        return switch (egress.lastStatus()) {
            case 401 -> GitException.denied(egress.hasCredentials()
                    ? "the remote " + where + " refused the push credentials (HTTP 401); the application's "
                            + "credentials for it are wrong or have expired"
                    : "the remote " + where + " asks for credentials (HTTP 401) and the application gave none "
                            + "(GitTools.Builder.pushCredentials)");
            case 403 -> GitException.denied("the remote " + where + " does not let these credentials push "
                    + "(HTTP 403)");
            case 404 -> GitException.failed("there is no repository at " + where + " (HTTP 404)");
            default -> GitException.failed("the push to " + where + " failed: " + e.getMessage());
        };
    }

    /**
     * Refuses a configuration naming {@code http.cookieFile}: JGit would read (and with {@code http.saveCookies}
     * write) that file by path name, outside the confinement layer.
     */
    private static void noCookieFile(Config config) {
        var subsections = new ArrayList<@Nullable String>();
        subsections.add(null);
        subsections.addAll(config.getSubsections("http"));
        for (String sub : subsections) {
            if (config.getString("http", sub, "cookieFile") != null) {
                throw GitException.denied("the git configuration sets http" + (sub == null ? "" : "." + sub)
                        + ".cookieFile; git_push does not read or write cookie files, remove the setting");
            }
        }
    }
}
