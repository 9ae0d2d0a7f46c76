package dev.agentrt.tools.git;

import static dev.agentrt.tools.git.GitFixture.commit;
import static dev.agentrt.tools.git.GitFixture.init;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What the push tests push between, made before each test: a working repository {@link #root} with one commit
 * ({@code a.txt}) and an empty bare repository {@code remote.git} beside it, served by the real {@code git
 * http-backend} on 127.0.0.1. After the test the server is stopped and nothing of it may be left running. A test is
 * skipped where git is not installed. Registered with {@code @RegisterExtension}.
 */
final class ServedRepos implements BeforeEachCallback, AfterEachCallback {
    /** How the directory holding {@code remote.git} is served. */
    interface Serving {
        GitHttpServer start(Path projectRoot) throws Exception;
    }

    private final Supplier<Path> dir;
    private final Serving serving;
    Path root;
    Git git;
    Git bare;
    GitHttpServer server;

    /** The repositories in {@code dir} (a test's temporary directory, asked for before each test). */
    ServedRepos(Supplier<Path> dir, Serving serving) {
        this.dir = dir;
        this.serving = serving;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        assumeTrue(GitFixture.gitInstalled(), "git is not installed");
        root = Files.createDirectory(dir.get().resolve("repo"));
        git = init(root);
        commit(git, "Initial", "a.txt", "a\n");
        Path served = Files.createDirectory(dir.get().resolve("served"));
        bare = Git.init()
                .setBare(true)
                .setDirectory(served.resolve("remote.git").toFile())
                .setInitialBranch("main")
                .call();
        server = serving.start(served);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (server != null) {
            server.close();
            assertThat(server.running()).as("still running after the test").isEmpty();
        }
    }
}
