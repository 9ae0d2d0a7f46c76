package dev.agentrt.tools.internal.git;

import dev.agentrt.core.internal.fs.ConfinementException;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the git tools share: the settings, the blocking invocation on a freshly checked repository, and the
 * mapping of failures to error results written for the model.
 */
abstract class GitTool implements Tool {
    final GitSettings settings;
    private final ToolSpec spec;

    GitTool(GitSettings settings, String name, String description, String schema) {
        this.settings = settings;
        this.spec = new ToolSpec(name, description, JsonValue.parse(schema).asObject());
    }

    @Override
    public final ToolSpec spec() {
        return spec;
    }

    /** JGit blocks on files: the registry runs these tools on {@code AgentSchedulers.blocking()}. */
    @Override
    public final boolean blocking() {
        return true;
    }

    /** What every call needs: reading the repository. */
    Capability readRepository() {
        return Capability.fileRead(settings.root());
    }

    /** What a call that changes the index, refs or objects needs. */
    Capability writeGitDir() {
        return Capability.fileWrite(settings.root().resolve(Repo.GIT_DIR));
    }

    @Override
    public final Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        return Mono.fromCallable(() -> {
            try (Repository repo = Repo.open(settings); Git git = new Git(repo)) {
                return run(git, arguments, context);
            } catch (GitException e) {
                return ToolResult.error(e.kind(), e.getMessage());
            } catch (ConfinementException e) {
                return ToolResult.error(e.denied() ? ToolErrorKind.PERMISSION_DENIED : ToolErrorKind.INVALID_ARGUMENTS,
                        e.getMessage() + (e.denied() ? " (the git tools never follow symbolic links)" : ""));
            } catch (RevisionSyntaxException | AmbiguousObjectException | IncorrectObjectTypeException
                    | MissingObjectException e) {
                return ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "Not a usable revision: " + e.getMessage());
            } catch (ClosedByInterruptException | InterruptedIOException e) {
                Thread.currentThread().interrupt();
                return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "The call was interrupted.");
            } catch (GitAPIException | JGitInternalException | IOException | UncheckedIOException
                    | NoExecFs.CommandRefused e) {
                return failure(e);
            }
        });
    }

    private static ToolResult failure(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GitException g) {
                return ToolResult.error(g.kind(), g.getMessage());
            }
            if (t instanceof ConfinementException c) {
                return ToolResult.error(c.denied() ? ToolErrorKind.PERMISSION_DENIED : ToolErrorKind.INVALID_ARGUMENTS,
                        c.getMessage());
            }
            if (t instanceof NoExecFs.CommandRefused refused) {
                return ToolResult.error(ToolErrorKind.PERMISSION_DENIED, refused.getMessage());
            }
            if (t instanceof CorruptObjectException) {
                return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "The repository is damaged: " + t.getMessage());
            }
        }
        String message = e.getMessage();
        return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "git failed: " + e.getClass().getSimpleName()
                + (message == null ? "" : ": " + message));
    }

    abstract ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException, GitAPIException;

    /** The commit {@code rev} names ({@code HEAD}, a branch, a tag, an abbreviated id, {@code main~2}...). */
    static RevCommit commit(Repository repo, RevWalk walk, String rev) throws IOException {
        if (rev.startsWith("-") || rev.indexOf('\0') >= 0) {
            throw GitException.invalid("not a revision: " + Repo.quote(rev));
        }
        ObjectId id = repo.resolve(rev + "^{commit}");
        if (id == null) {
            throw GitException.invalid("no commit is named " + Repo.quote(rev) + "; name a branch, a tag or a commit "
                    + "id (git_log lists commits)");
        }
        return walk.parseCommit(id);
    }

    /** The path {@code raw} relative to the work tree, checked; see {@link Repo#relative}. */
    List<String> relative(String raw, String what) {
        return Repo.relative(settings.root(), raw, what);
    }

    /** The strings of the array argument {@code name}; none when absent. */
    static List<String> strings(JsonObject arguments, String name) {
        var out = new ArrayList<String>();
        for (JsonValue v : arguments.getArray(name).map(JsonArray::items).orElse(List.of())) {
            if (v instanceof JsonValue.JsonString(String s)) {
                out.add(s);
            }
        }
        return out;
    }

    Path absolute(List<String> names) {
        return names.isEmpty() ? settings.root() : settings.root().resolve(String.join("/", names));
    }
}
