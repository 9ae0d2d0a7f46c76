package dev.agentrt.tools.fs;

import static dev.agentrt.tools.fs.FsFixture.args;
import static dev.agentrt.tools.fs.FsFixture.call;
import static dev.agentrt.tools.fs.FsFixture.symlink;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.context.ContextFile;
import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The runtime's walkers (the context's directory walker, which memory ingestion uses too, and the
 * file tools' glob and grep) share one symbolic-link policy: a link is never followed, whether it
 * leads inside the root or out, dangles or loops.
 */
class WalkerPolicyTest {
    @TempDir
    Path temp;

    Path root;
    Path outside;

    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectory(temp.resolve("root")).toRealPath();
        outside = Files.createDirectory(temp.resolve("outside")).toRealPath();
        Files.writeString(outside.resolve("secret.txt"), "marker outside\n");
        Files.writeString(root.resolve("top.txt"), "marker top\n");
        Files.createDirectories(root.resolve("dir/deeper"));
        Files.writeString(root.resolve("dir/in.txt"), "marker in\n");
        Files.writeString(root.resolve("dir/deeper/deep.txt"), "marker deep\n");
        symlink(root.resolve("file-in"), root.resolve("top.txt"));
        symlink(root.resolve("file-out"), outside.resolve("secret.txt"));
        symlink(root.resolve("dir-in"), root.resolve("dir"));
        symlink(root.resolve("dir-out"), outside);
        symlink(root.resolve("dangling"), outside.resolve("missing.txt"));
        symlink(root.resolve("dir/loop"), root.resolve("dir"));
        symlink(root.resolve("dir/up"), Path.of(".."));
        symlink(root.resolve("a"), root.resolve("b"));
        symlink(root.resolve("b"), root.resolve("a"));
    }

    private static final Set<String> REGULAR_FILES = Set.of("top.txt", "dir/in.txt", "dir/deeper/deep.txt");

    @Test
    void theContextWalkerReadsOnlyTheRegularFilesAndReportsEveryLinkAsSkipped() {
        List<ContextFile> scanned = TaskContext.fromDirectory(root).scan().collectList().block(Duration.ofSeconds(30));

        assertThat(scanned).filteredOn(f -> f instanceof ContextFile.Text)
                .extracting(ContextFile::path)
                .containsExactlyInAnyOrderElementsOf(REGULAR_FILES);
        assertThat(scanned).filteredOn(f -> f instanceof ContextFile.Skipped)
                .extracting(ContextFile::path)
                .containsExactlyInAnyOrder("a", "b", "dangling", "dir-in", "dir-out", "file-in", "file-out", "dir/loop",
                        "dir/up");
    }

    @Test
    void grepSearchesTheSameFilesAsTheContextWalker() {
        FileSystemTools fs = FileSystemTools.rootedAt(root);
        ToolResult r = call(fs, Grants.of(Capability.fileRead(root), Capability.fileRead(outside)), "grep",
                args().put("pattern", "marker").build());

        Set<String> found = new TreeSet<>();
        for (String line : r.content().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.contains("marker")) {
                found.add(line.substring(0, colon));
            }
        }
        assertThat(found).containsExactlyInAnyOrderElementsOf(REGULAR_FILES);
        assertThat(r.content()).doesNotContain("outside");
    }

    @Test
    void globListsLinksAsEntriesButNeverEntersThem() {
        FileSystemTools fs = FileSystemTools.rootedAt(root);
        ToolResult r = call(fs, Grants.of(Capability.fileRead(root), Capability.fileRead(outside)), "glob",
                args().put("pattern", "**/*.txt").build());

        assertThat(r.content().lines().filter(l -> l.endsWith(".txt")).toList())
                .containsExactlyInAnyOrderElementsOf(REGULAR_FILES);
        assertThat(r.content()).doesNotContain("secret").doesNotContain("dir-in/").doesNotContain("loop/");
    }
}
