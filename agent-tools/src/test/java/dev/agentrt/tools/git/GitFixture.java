package dev.agentrt.tools.git;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolAccess;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Real repositories made with JGit, and git tool calls run through a real {@link ToolRegistry}. */
final class GitFixture {
    static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-12-01T10:00:00Z"));
    static final PersonIdent ALICE = new PersonIdent("Alice", "alice@example.com",
            Instant.parse("2026-11-30T09:00:00Z"),
            ZoneOffset.ofHours(1));

    private GitFixture() {}

    static JsonObject.Builder args() {
        return JsonObject.builder();
    }

    static Grants all(Path root) {
        return Grants.of(Capability.fileRead(root), Capability.fileWrite(root), GitTools.commitCapability());
    }

    static ToolResult call(GitTools git, Grants grants, String tool, JsonObject args) {
        return call(git, grants, tool, args, null);
    }

    static ToolResult call(GitTools git, Grants grants, String tool, JsonObject args,
            @Nullable Consumer<AgentEvent> events) {
        var execution = new ToolExecution("t", Principal.ANONYMOUS, grants, null, Duration.ofSeconds(60), events,
                ToolAccess.ALL);
        return ToolRegistry.of(git.tools())
                .execute(new ToolCall("c1", tool, args.toJson()), execution)
                .block(Duration.ofSeconds(60));
    }

    /** A new repository on branch main. */
    static Git init(Path dir) throws GitAPIException {
        return Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    }

    static void write(Path root, String path, String content) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    /** Writes the files, stages everything and commits as Alice. */
    static RevCommit commit(Git git, String message, String... pathsAndContents) throws IOException, GitAPIException {
        Path root = git.getRepository().getWorkTree().toPath();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            write(root, pathsAndContents[i], pathsAndContents[i + 1]);
        }
        git.add().addFilepattern(".").call();
        git.add().setUpdate(true).addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor(ALICE).setCommitter(ALICE).setSign(false).call();
    }

    static void symlink(Path link, Path target) throws IOException {
        try {
            Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "this file system cannot make symbolic links: " + e);
        }
    }

    static boolean gitInstalled() {
        try {
            return run(Path.of("."), "git", "--version").exit == 0;
        } catch (IOException e) {
            return false;
        }
    }

    record Run(int exit, String output) {}

    /** Runs the real git with a configuration and environment of its own (no user or system config). */
    static Run run(Path dir, String... command) throws IOException {
        var pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("GIT_"));
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_COMMITTER_NAME", "Committer");
        env.put("GIT_COMMITTER_EMAIL", "committer@example.com");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("git did not finish: " + List.of(command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static List<String> lines(String s) {
        return new ArrayList<>(List.of(s.split("\n")));
    }
}
