package dev.agentrt.tools.fs;

import static dev.agentrt.tools.fs.FsFixture.args;
import static dev.agentrt.tools.fs.FsFixture.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

class FileSystemToolsTest {
    @TempDir
    Path root;

    private Grants all() {
        return Grants.of(Capability.fileRead(root), Capability.fileWrite(root));
    }

    private ToolResult run(FileSystemTools fs, String tool, JsonObject args) {
        return call(fs, all(), tool, args);
    }

    private ToolResult run(String tool, JsonObject args) {
        return run(FileSystemTools.rootedAt(root), tool, args);
    }

    @Test
    void offersSixBlockingToolsWithClosedSnakeCaseSchemas() {
        FileSystemTools fs = FileSystemTools.rootedAt(root);
        assertThat(fs.tools()).extracting(t -> t.spec().name())
                .containsExactly("read_file", "write_file", "edit_file", "list_directory", "glob", "grep");
        for (Tool t : fs.tools()) {
            assertThat(t.blocking()).as(t.spec().name()).isTrue();
            assertThat(t.spec().parameters().getBoolean("additionalProperties")).as(t.spec().name()).contains(false);
            assertThat(t.spec().description()).isNotBlank();
        }
        assertThat(FileSystemTools.builder(root).readOnly().build().tools()).extracting(t -> t.spec().name())
                .containsExactly("read_file", "list_directory", "glob", "grep");
        assertThat(fs.toBuilder().maxEntries(3).build().maxEntries()).isEqualTo(3);
    }

    @Test
    void refusesARootThatIsNotADirectoryAndLimitsThatAreNotPositive() throws IOException {
        Path file = Files.writeString(root.resolve("f"), "x");
        assertThatThrownBy(() -> FileSystemTools.rootedAt(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("root must be an existing directory");
        assertThatThrownBy(() -> FileSystemTools.rootedAt(root.resolve("missing")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FileSystemTools.builder(root).maxOutputChars(0).build())
                .hasMessageContaining("maxOutputChars");
        assertThatThrownBy(() -> FileSystemTools.builder(root).searchTimeout(Duration.ZERO).build())
                .hasMessageContaining("searchTimeout");
    }

    @Test
    void readsATextFileWithLineNumbersOrARangeOfLines() throws IOException {
        Files.writeString(root.resolve("a.txt"), "alpha\nbeta\ngamma\ndelta\n");
        assertThat(run("read_file", args().put("path", "a.txt").build()).content())
                .isEqualTo("     1\talpha\n     2\tbeta\n     3\tgamma\n     4\tdelta");
        ToolResult range = run("read_file", args().put("path", "a.txt")
                .put("offset", 2)
                .put("limit", 2)
                .put("line_numbers", false)
                .build());
        assertThat(range.content()).startsWith("beta\ngamma\n").contains("continue with offset=4");
        assertThat(run("read_file", args().put("path", "a.txt").put("offset", 9).build()))
                .satisfies(r -> assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS))
                .satisfies(r -> assertThat(r.content()).contains("past the end").contains("4 lines"));
        Files.writeString(root.resolve("empty.txt"), "");
        assertThat(run("read_file", args().put("path", "empty.txt").build()).content()).contains("is empty");
    }

    @Test
    void refusesToReadBinaryFiles() throws IOException {
        Files.write(root.resolve("nul.bin"), new byte[]{'a', 'b', 0, 'c'});
        Files.write(root.resolve("latin1.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        for (String name : List.of("nul.bin", "latin1.txt")) {
            ToolResult r = run("read_file", args().put("path", name).build());
            assertThat(r.errorKind()).as(name).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
            assertThat(r.content()).as(name).contains("binary file");
        }
        // Valid UTF-8 beyond ASCII is text.
        Files.writeString(root.resolve("utf8.txt"), "caf\u00e9 \u2603");
        assertThat(run("read_file", args().put("path", "utf8.txt").build()).content()).contains("caf\u00e9 \u2603");
    }

    @Test
    void cutsTheOutputOfAHugeFileWithAMarkerSayingWhereToContinue() throws IOException {
        var sb = new StringBuilder();
        for (int i = 1; i <= 200_000; i++) {
            sb.append("line number ").append(i).append('\n');
        }
        Files.writeString(root.resolve("huge.txt"), sb);
        FileSystemTools fs = FileSystemTools.builder(root).maxOutputChars(1_000).build();
        ToolResult r = run(fs, "read_file", args().put("path", "huge.txt").build());
        assertThat(r.isError()).isFalse();
        assertThat(r.content().length()).isLessThan(1_300);
        assertThat(r.content()).startsWith("     1\tline number 1\n")
                .containsPattern("output limit of 1000 characters reached; more lines follow: continue with "
                        + "offset=\\d+");
        ToolResult late = run(fs, "read_file", args().put("path", "huge.txt").put("offset", 199_999).build());
        assertThat(late.content()).isEqualTo("199999\tline number 199999\n200000\tline number 200000");
    }

    @Test
    void writesNewFilesCreatingParentsAndReplacesExistingOnes() throws IOException {
        ToolResult created = run("write_file", args().put("path", "new/dir/hello.txt").put("content", "hi\n").build());
        assertThat(created.content()).isEqualTo("Created new/dir/hello.txt (3 bytes).");
        assertThat(root.resolve("new/dir/hello.txt")).hasContent("hi");
        ToolResult replaced = run("write_file", args().put("path", "new/dir/hello.txt").put("content", "bye").build());
        assertThat(replaced.content()).startsWith("Replaced");
        assertThat(Files.readString(root.resolve("new/dir/hello.txt"))).isEqualTo("bye");
        assertThat(FsFixture.tempFiles(root)).isZero();
    }

    @Test
    void aFailedWriteLeavesTheOldContentAndNoTemporaryFile() throws IOException {
        Path file = Files.writeString(root.resolve("keep.txt"), "old");
        FileSystemTools fs = FileSystemTools.builder(root).maxFileBytes(10).build();
        ToolResult tooBig = run(fs, "write_file",
                args().put("path", "keep.txt").put("content", "x".repeat(11)).build());
        assertThat(tooBig.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(tooBig.content()).contains("more than the limit of 10 bytes");
        // A write onto a directory is refused and changes nothing.
        Files.createDirectories(root.resolve("dir/child"));
        ToolResult onDir = run(fs, "write_file", args().put("path", "dir").put("content", "x").build());
        assertThat(onDir.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(onDir.content()).contains("is a directory");
        assertThat(file).hasContent("old");
        assertThat(root.resolve("dir/child")).isDirectory();
        assertThat(FsFixture.tempFiles(root)).isZero();
    }

    @Test
    void aConcurrentReaderSeesTheOldOrTheNewContentNeverAPart() throws Exception {
        int size = 256 * 1024;
        Path file = Files.writeString(root.resolve("big.txt"), "a".repeat(size));
        FileSystemTools fs = FileSystemTools.rootedAt(root);
        AtomicReference<String> torn = new AtomicReference<>();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                try {
                    byte[] b = Files.readAllBytes(file);
                    if (b.length != size || b[0] != b[size - 1]) {
                        torn.set("read " + b.length + " bytes, first " + (char) b[0]);
                    }
                } catch (IOException e) {
                    torn.set(e.toString());
                }
            }
        });
        try {
            for (int i = 0; i < 30; i++) {
                String c = (i % 2 == 0 ? "b" : "a").repeat(size);
                assertThat(run(fs, "write_file", args().put("path", "big.txt").put("content", c).build()).isError())
                        .isFalse();
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertThat(torn.get()).isNull();
        assertThat(FsFixture.tempFiles(root)).isZero();
    }

    @Test
    void editsByExactReplacementOnceOrEverywhere() throws IOException {
        Path file = Files.writeString(root.resolve("Main.java"), "int x = 1;\nint y = 1;\n");
        ToolResult ambiguous = run("edit_file",
                args().put("path", "Main.java").put("old_text", "= 1").put("new_text", "= 2").build());
        assertThat(ambiguous.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(ambiguous.content()).contains("occurs 2 times").contains("replace_all");
        ToolResult once = run("edit_file",
                args().put("path", "Main.java").put("old_text", "int y = 1;").put("new_text", "int y = 3;").build());
        assertThat(once.content()).isEqualTo("Edited Main.java: replaced 1 occurrence.");
        assertThat(file).hasContent("int x = 1;\nint y = 3;");
        ToolResult everywhere = run("edit_file", args().put("path", "Main.java")
                .put("old_text", "int")
                .put("new_text", "long")
                .put("replace_all", true)
                .build());
        assertThat(everywhere.content()).contains("replaced 2 occurrences");
        assertThat(Files.readString(file)).isEqualTo("long x = 1;\nlong y = 3;\n");
        ToolResult missing = run("edit_file",
                args().put("path", "Main.java").put("old_text", "nope").put("new_text", "x").build());
        assertThat(missing.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(missing.content()).contains("was not found");
        Files.write(root.resolve("b.bin"), new byte[]{1, 0, 2});
        assertThat(run("edit_file", args().put("path", "b.bin").put("old_text", "a").put("new_text", "b").build())
                .content()).contains("binary file");
        assertThat(FsFixture.tempFiles(root)).isZero();
    }

    @Test
    void listsEntriesWithTypeAndSizeUpToTheLimit() throws IOException {
        Files.writeString(root.resolve("b.txt"), "12345");
        Files.createDirectory(root.resolve("a"));
        Files.writeString(root.resolve("a/inner.txt"), "x");
        String listing = run("list_directory", args().build()).content();
        assertThat(listing.lines()).hasSize(2);
        assertThat(listing.lines().toList().get(0)).matches("dir\\s+-\\s+a/");
        assertThat(listing.lines().toList().get(1)).matches("file\\s+5\\s+b\\.txt");
        assertThat(run("list_directory", args().put("path", "a").build()).content()).contains("inner.txt");
        for (int i = 0; i < 10; i++) {
            Files.writeString(root.resolve("f" + i), "");
        }
        FileSystemTools capped = FileSystemTools.builder(root).maxEntries(4).build();
        String cut = run(capped, "list_directory", args().put("path", ".").build()).content();
        assertThat(cut).contains("[... 8 more entries not shown: the limit is 4]");
        assertThat(run("list_directory", args().put("path", "b.txt").build()).content()).contains("not a directory");
    }

    @Test
    void globsRelativeToTheRootOrAPathWithLimits() throws IOException {
        Files.createDirectories(root.resolve("src/main"));
        Files.writeString(root.resolve("Top.java"), "");
        Files.writeString(root.resolve("src/A.java"), "");
        Files.writeString(root.resolve("src/main/B.java"), "");
        Files.writeString(root.resolve("src/main/c.txt"), "");
        assertThat(run("glob", args().put("pattern", "**/*.java").build()).content().lines())
                .containsExactly("Top.java", "src/A.java", "src/main/B.java");
        assertThat(run("glob", args().put("pattern", "*.java").put("path", "src").build()).content().lines())
                .containsExactly("src/A.java");
        assertThat(run("glob", args().put("pattern", "**/*.{txt,md}").build()).content())
                .isEqualTo("src/main/c.txt");
        assertThat(run("glob", args().put("pattern", "*.none").build()).content()).startsWith("No paths match");
        FileSystemTools capped = FileSystemTools.builder(root).maxEntries(2).build();
        assertThat(run(capped, "glob", args().put("pattern", "**").build()).content())
                .contains("[... more matches not shown: the limit is 2]");
        assertThat(run("glob", args().put("pattern", "../*").build()).errorKind())
                .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
    }

    @Test
    void grepsTextFilesSkippingBinaryOnesAndStopsAtTheMatchLimit() throws IOException {
        Files.createDirectories(root.resolve("src"));
        Files.writeString(root.resolve("src/A.java"), "class A {\n  // TODO one\n}\n");
        Files.writeString(root.resolve("notes.md"), "todo: two\nnothing\n");
        Files.write(root.resolve("blob.bin"), "TODO binary\0".getBytes(StandardCharsets.UTF_8));
        ToolResult r = run("grep", args().put("pattern", "TODO").build());
        assertThat(r.content()).startsWith("src/A.java:2:   // TODO one").contains("skipped 1 binary");
        assertThat(r.content()).doesNotContain("blob.bin:");
        assertThat(run("grep", args().put("pattern", "todo")
                .put("case_insensitive", true)
                .put("glob", "*.md")
                .build()).content()).isEqualTo("notes.md:1: todo: two");
        assertThat(run("grep", args().put("pattern", "class \\w+").put("path", "src/A.java").build()).content())
                .isEqualTo("src/A.java:1: class A {");
        assertThat(run("grep", args().put("pattern", "(unclosed").build()))
                .satisfies(e -> assertThat(e.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS))
                .satisfies(e -> assertThat(e.content()).contains("not a valid Java regular expression"));
        var many = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            many.append("hit ").append(i).append('\n');
        }
        Files.writeString(root.resolve("many.txt"), many);
        FileSystemTools capped = FileSystemTools.builder(root).maxGrepMatches(5).build();
        ToolResult limited = run(capped, "grep", args().put("pattern", "^hit").build());
        assertThat(limited.content().lines().filter(l -> l.startsWith("many.txt:"))).hasSize(5);
        assertThat(limited.content()).contains("[... more matches not shown: the limit is 5]");
    }

    @Test
    void aCatastrophicRegexStopsAtTheSearchTimeout() throws IOException {
        Files.writeString(root.resolve("evil.txt"), "a".repeat(5_000) + "!\n");
        // A clock that moves 1 ms each time it is read: the 300 ms limit is reached after about 300
        // readings, one per 1,024 characters the matcher reads, far fewer than this match needs (at
        // least quadratic in the line's length), on any machine.
        var readings = new AtomicLong();
        InstantSource stepping = () -> Instant.ofEpochMilli(readings.getAndIncrement());
        FileSystemTools fs = FileSystemTools.builder(root)
                .searchTimeout(Duration.ofMillis(300))
                .clock(stepping)
                .build();
        ToolResult r = run(fs, "grep", args().put("pattern", "(a+)+$").build());
        assertThat(r.isError()).isFalse();
        assertThat(r.content()).contains("search stopped: time limit of 300 ms reached");
        assertThat(readings.get()).isBetween(300L, 310L);
    }

    @Test
    void aPatternThatOverflowsTheMatchersStackIsExplainedNotFatal() throws IOException {
        Files.writeString(root.resolve("long.txt"), "a".repeat(9_000) + "!\n");
        ToolResult r = run("grep", args().put("pattern", "(a|b)+$").build());
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(r.content()).contains("recursed too deeply on line 1 of long.txt").contains("[ab]+");
        // The next call is served as usual.
        assertThat(run("grep", args().put("pattern", "[ab]+!").build()).content()).startsWith("long.txt:1:");
    }

    @Test
    void aGlobStopsAtTheSearchTimeoutOnTheInjectedClock() throws IOException {
        for (int i = 0; i < 50; i++) {
            Files.writeString(root.resolve("f" + i + ".txt"), "x\n");
        }
        var readings = new AtomicLong();
        InstantSource stepping = () -> Instant.ofEpochMilli(readings.getAndIncrement());
        FileSystemTools fs = FileSystemTools.builder(root).searchTimeout(Duration.ofMillis(10)).clock(stepping).build();
        ToolResult r = run(fs, "glob", args().put("pattern", "*.txt").build());
        assertThat(r.content()).contains("time limit");
    }

    @Test
    void longOutputsEndWithATruncationMarker() throws IOException {
        for (int i = 0; i < 100; i++) {
            Files.writeString(root.resolve("file-with-a-long-name-" + i + ".txt"), "match\n");
        }
        FileSystemTools fs = FileSystemTools.builder(root).maxOutputChars(500).build();
        for (String tool : List.of("glob", "grep", "list_directory")) {
            JsonObject a = tool.equals("list_directory")
                    ? args().build()
                    : args().put("pattern", tool.equals("glob") ? "*.txt" : "match").build();
            ToolResult r = run(fs, tool, a);
            assertThat(r.content()).as(tool).containsPattern("\\[\\.\\.\\. truncated: \\d+ more characters]");
            assertThat(r.content().length()).as(tool).isLessThan(600);
        }
    }

    @Test
    void leavesNoFileDescriptorOpen() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd");
        Files.createDirectories(root.resolve("d/e"));
        Files.writeString(root.resolve("d/e/f.txt"), "text\n");
        FileSystemTools fs = FileSystemTools.rootedAt(root);
        run(fs, "read_file", args().put("path", "d/e/f.txt").build());
        long before = count(fds);
        for (int i = 0; i < 100; i++) {
            run(fs, "read_file", args().put("path", "d/e/f.txt").build());
            run(fs, "read_file", args().put("path", "d/e/missing.txt").build());
            run(fs, "write_file", args().put("path", "d/e/g.txt").put("content", "g" + i).build());
            run(fs, "edit_file", args().put("path", "d/e/g.txt").put("old_text", "g").put("new_text", "h").build());
            run(fs, "list_directory", args().put("path", "d").build());
            run(fs, "glob", args().put("pattern", "**").build());
            run(fs, "grep", args().put("pattern", "text").build());
        }
        assertThat(count(fds)).isLessThan(before + 20);
        assertThat(FsFixture.tempFiles(root)).isZero();
    }

    private static long count(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }
}
