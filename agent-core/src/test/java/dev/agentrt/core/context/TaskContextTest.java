package dev.agentrt.core.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

class TaskContextTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path root;

    @Test
    void nestedGitignoreFilesApplyRelativeToTheirDirectoryWithNegationAndAnchoring() throws IOException {
        write(".gitignore", "*.log\n/top-only.txt\n");
        write("a.log", "x");
        write("top-only.txt", "x");
        write("sub/.gitignore", "!keep.log\n/local.txt\n");
        write("sub/keep.log", "x");
        write("sub/drop.log", "x");
        write("sub/local.txt", "x");
        write("sub/top-only.txt", "x");
        write("sub/deeper/local.txt", "x");

        assertThat(ids(TaskContext.fromDirectory(root))).containsExactly(
                ".gitignore", "sub/.gitignore", "sub/deeper/local.txt", "sub/keep.log", "sub/top-only.txt");
    }

    @Test
    void directoryOnlyPatternsSkipDirectoriesButNotFilesOfTheSameName() throws IOException {
        write(".gitignore", "out/\n");
        write("out/a.txt", "x");
        write("src/out/b.txt", "x");
        write("lib/out", "a file named out");

        assertThat(ids(TaskContext.fromDirectory(root))).containsExactly(".gitignore", "lib/out");
    }

    @Test
    void aFileInsideAnIgnoredDirectoryCannotBeReincluded() throws IOException {
        write(".gitignore", "out/\n!out/keep.txt\nbuild/*\n!build/keep.txt\n");
        write("out/keep.txt", "x");
        write("build/keep.txt", "x");
        write("build/drop.txt", "x");

        assertThat(ids(TaskContext.fromDirectory(root))).containsExactly(".gitignore", "build/keep.txt");
    }

    @Test
    void doubleStarPatternsMatchAnyNumberOfDirectories() throws IOException {
        write(".gitignore", "**/generated/\ndocs/**/*.tmp\nvendor/**\n!vendor/README.md\n");
        write("generated/a.txt", "x");
        write("src/main/generated/b.txt", "x");
        write("src/main/App.java", "class App {}");
        write("docs/x.tmp", "x");
        write("docs/a/b/y.tmp", "x");
        write("docs/keep.md", "x");
        write("vendor/lib/z.js", "x");
        write("vendor/README.md", "x");

        assertThat(ids(TaskContext.fromDirectory(root)))
                .containsExactly(".gitignore", "docs/keep.md", "src/main/App.java", "vendor/README.md");
    }

    @Test
    void theGitDirectoryIsAlwaysSkippedAndItsInfoExcludeIsHonoured() throws IOException {
        write(".git/config", "[core]\n");
        write(".git/info/exclude", "secret.txt\n");
        write("secret.txt", "x");
        write("a.txt", "x");
        write("sub/.git", "gitdir: ../.git/modules/sub\n");
        write("sub/b.txt", "x");

        assertThat(ids(TaskContext.fromDirectory(root))).containsExactly("a.txt", "sub/b.txt");
        assertThat(ids(TaskContext.fromDirectory(root, DirectoryOptions.defaults().withRespectGitignore(false))))
                .containsExactly("a.txt", "secret.txt", "sub/b.txt");
    }

    @Test
    void extraIgnorePatternsTakePrecedenceOverIgnoreFilesAndApplyWithoutThem() throws IOException {
        write(".gitignore", "*.tmp\n!important.md\n");
        write("important.md", "x");
        write("notes.txt", "x");
        write("a.tmp", "x");
        DirectoryOptions options = DirectoryOptions.defaults().withExtraIgnorePatterns(List.of("*.md", "/.gitignore"));

        assertThat(ids(TaskContext.fromDirectory(root, options))).containsExactly("notes.txt");
        assertThat(ids(TaskContext.fromDirectory(root, options.withRespectGitignore(false))))
                .containsExactly("a.tmp", "notes.txt");
    }

    @Test
    void filesWithANulByteInTheirFirst8KiBAreSkippedAsBinary() throws IOException {
        write("text.txt", "plain");
        Files.write(root.resolve("image.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        byte[] lateNul = new byte[9000];
        Arrays.fill(lateNul, (byte) 'a');
        lateNul[8999] = 0;
        Files.write(root.resolve("late-nul.txt"), lateNul);

        assertThat(ids(TaskContext.fromDirectory(root))).containsExactly("late-nul.txt", "text.txt");
        StepVerifier.create(TaskContext.fromDirectory(root).files())
                .expectNext(Path.of("late-nul.txt"), Path.of("text.txt"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void filesThatAreNotValidUtf8AreSkippedAsBinary() throws IOException {
        Files.write(root.resolve("latin1.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(root.resolve("truncated.txt"), new byte[]{'o', 'k', (byte) 0xE2, (byte) 0x82});
        byte[] lateInvalid = "é".repeat(10_000).getBytes(StandardCharsets.UTF_8);
        lateInvalid[lateInvalid.length - 1] = (byte) 0xFF;
        Files.write(root.resolve("late-invalid.txt"), lateInvalid);
        write("utf8.txt", "café ☕ 𝄞");

        StepVerifier.create(TaskContext.fromDirectory(root).documents())
                .assertNext(document -> assertThat(document.text()).isEqualTo("café ☕ 𝄞"))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(TaskContext.fromDirectory(root).files())
                .expectNext(Path.of("utf8.txt"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void filesLargerThanMaxFileBytesAreSkipped() throws IOException {
        write("small.txt", "0123456789");
        write("big.txt", "0123456789A");

        assertThat(ids(TaskContext.fromDirectory(root, DirectoryOptions.defaults().withMaxFileBytes(10))))
                .containsExactly("small.txt");
    }

    @Test
    void theWalkStopsAfterMaxFiles() throws IOException {
        for (int i = 1; i <= 5; i++) {
            write("f" + i + ".txt", "x");
        }
        Files.write(root.resolve("f0.bin"), new byte[]{0}); // skipped files do not count
        TaskContext context = TaskContext.fromDirectory(root, DirectoryOptions.defaults().withMaxFiles(3));

        assertThat(ids(context)).containsExactly("f1.txt", "f2.txt", "f3.txt");
        StepVerifier.create(context.files()).expectNextCount(3).expectComplete().verify(TIMEOUT);
    }

    @Test
    void symbolicLinksAreNeverFollowedWhetherTheyLeadInsideOrOut(@TempDir Path outside) throws IOException {
        // One policy for every walker of the runtime (the file tools' too): a link is never followed.
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(root.resolve("link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("outside-dir"), outside);
        write("inside.txt", "inside");
        Files.createSymbolicLink(root.resolve("alias.txt"), Path.of("inside.txt"));

        StepVerifier.create(TaskContext.fromDirectory(root).documents())
                .assertNext(document -> assertThat(document).extracting(Document::id, Document::text)
                        .containsExactly("inside.txt", "inside"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void aSymbolicLinkCycleDoesNotHang() throws IOException {
        write("a/file.txt", "x");
        Files.createSymbolicLink(root.resolve("a/loop"), Path.of(".."));
        Files.createSymbolicLink(root.resolve("self"), Path.of("."));

        StepVerifier.create(TaskContext.fromDirectory(root).files())
                .expectNext(Path.of("a", "file.txt"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void brokenLinksAndUnreadableEntriesAreSkippedWithoutFailingTheWalk() throws IOException {
        Files.createSymbolicLink(root.resolve("dangling.txt"), root.resolve("nowhere.txt"));
        write("ok.txt", "x");

        assertThat(ids(TaskContext.fromDirectory(root))).containsExactly("ok.txt");
    }

    @Test
    void unreadableDirectoriesAreSkippedWithoutFailingTheWalk() throws IOException {
        write("locked/secret.txt", "x");
        write("ok.txt", "x");
        Path locked = root.resolve("locked");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            assumeFalse(Files.isReadable(locked), "root can read any directory");

            assertThat(ids(TaskContext.fromDirectory(root))).containsExactly("ok.txt");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void filesAreVisitedOnlyAsTheSubscriberRequestsThem() throws IOException {
        write("a.txt", "first");
        write("b.txt", "before");
        write("z/m.txt", "m");

        StepVerifier.create(TaskContext.fromDirectory(root).documents(), 1)
                .assertNext(document -> assertThat(document.id()).isEqualTo("a.txt"))
                .then(() -> {
                    // Changes made now are seen only if the walk has not gone past the first file yet.
                    write("b.txt", "after");
                    write("z/n.txt", "new");
                })
                .thenRequest(Long.MAX_VALUE)
                .assertNext(document -> assertThat(document.text()).isEqualTo("after"))
                .assertNext(document -> assertThat(document.id()).isEqualTo("z/m.txt"))
                .assertNext(document -> assertThat(document.id()).isEqualTo("z/n.txt"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void takingTheFirstFilesOfALargeDirectoryCompletesAfterVisitingOnlyThose() throws IOException {
        for (int i = 0; i < 2_000; i++) {
            write("f%04d.txt".formatted(i), "x");
        }
        AtomicInteger emitted = new AtomicInteger();

        StepVerifier.create(TaskContext.fromDirectory(root).files().doOnNext(path -> emitted.incrementAndGet()).take(2))
                .expectNext(Path.of("f0000.txt"), Path.of("f0001.txt"))
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(emitted).hasValue(2);
    }

    @Test
    void cancellingAfterTheFirstDocumentEndsTheWalk() throws IOException {
        write("a.txt", "x");
        write("b.txt", "x");
        AtomicInteger emitted = new AtomicInteger();

        StepVerifier.create(TaskContext.fromDirectory(root).documents().doOnNext(d -> emitted.incrementAndGet()), 1)
                .expectNextCount(1)
                .thenCancel()
                .verify(TIMEOUT);
        assertThat(emitted).hasValue(1);
    }

    @Test
    void aMissingRootIsSignalledOnSubscriptionAsIllegalArgumentExceptionNamingThePath() {
        Path missing = root.resolve("missing");
        TaskContext context = TaskContext.fromDirectory(missing);

        StepVerifier.create(context.documents())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(missing.toString()))
                .verify(TIMEOUT);
        StepVerifier.create(context.files()).expectError(IllegalArgumentException.class).verify(TIMEOUT);
        StepVerifier.create(context.listing(10)).expectError(IllegalArgumentException.class).verify(TIMEOUT);
    }

    @Test
    void aRootThatIsAFileIsSignalledAsIllegalArgumentException() throws IOException {
        Path file = write("file.txt", "x");

        StepVerifier.create(TaskContext.fromDirectory(file).documents())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("not a directory")
                        .hasMessageContaining(file.toString()))
                .verify(TIMEOUT);
    }

    @Test
    void theListingNamesFilesWithSizesAndIsTruncatedAfterMaxEntries() throws IOException {
        write("a.txt", "abc");
        write("b.txt", "héllo");
        write("c/d.txt", "x");
        write("e.txt", "");
        TaskContext context = TaskContext.fromDirectory(root);

        StepVerifier.create(context.listing(2))
                .expectNext("a.txt (3 bytes)\nb.txt (6 bytes)\n… and 2 more files")
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(context.listing(3))
                .expectNext("a.txt (3 bytes)\nb.txt (6 bytes)\nc/d.txt (1 bytes)\n… and 1 more file")
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(context.listing(4))
                .expectNext("a.txt (3 bytes)\nb.txt (6 bytes)\nc/d.txt (1 bytes)\ne.txt (0 bytes)")
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(context.listing(0)).expectNext("… and 4 more files").expectComplete().verify(TIMEOUT);
    }

    @Test
    void theListingOfAnEmptyDirectoryIsEmptyAndANegativeMaxEntriesIsAnError() {
        StepVerifier.create(TaskContext.fromDirectory(root).listing(5)).expectNext("").expectComplete().verify(TIMEOUT);
        StepVerifier.create(TaskContext.fromDirectory(root).listing(-1))
                .expectErrorMessage("maxEntries must not be negative: -1")
                .verify(TIMEOUT);
    }

    @Test
    void entriesAreVisitedInNameOrderDepthFirst() throws IOException {
        for (String path : List.of("c.txt", "b/2.txt", "a.txt", "b/1.txt", "B.txt", "a/x.txt")) {
            write(path, "x");
        }
        TaskContext context = TaskContext.fromDirectory(root);

        List<String> first = ids(context);
        assertThat(first).containsExactly("B.txt", "a/x.txt", "a.txt", "b/1.txt", "b/2.txt", "c.txt");
        assertThat(ids(context)).isEqualTo(first);
    }

    @Test
    void documentsCarryTheirRelativePathAndSize() throws IOException {
        write("sub/hello.txt", "héllo");
        TaskContext context = TaskContext.fromDirectory(root);

        StepVerifier.create(context.documents())
                .assertNext(document -> {
                    assertThat(document.id()).isEqualTo("sub/hello.txt");
                    assertThat(document.text()).isEqualTo("héllo");
                    assertThat(document.metadata()).containsEntry("path", "sub/hello.txt").containsEntry("size", "6");
                })
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(context.files()).expectNext(Path.of("sub", "hello.txt")).expectComplete().verify(TIMEOUT);
        assertThat(context.root()).contains(root.toAbsolutePath().normalize());
    }

    @Test
    void aLeadingByteOrderMarkIsNotPartOfTheText() throws IOException {
        write("bom.txt", "\uFEFFtext");

        StepVerifier.create(TaskContext.fromDirectory(root).documents())
                .assertNext(document -> assertThat(document.text()).isEqualTo("text"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void filesAreReadOnTheBlockingScheduler() throws IOException {
        write("a.txt", "x");

        String thread = TaskContext.fromDirectory(root)
                .documents()
                .map(document -> Thread.currentThread().getName())
                .blockFirst(TIMEOUT);

        assertThat(thread).startsWith("agentrt-blocking-");
    }

    @Test
    void fromDirectoryDoesNotTouchTheFileSystemAndEachSubscriptionWalksAnew() throws IOException {
        TaskContext context = TaskContext.fromDirectory(root.resolve("later"));
        write("later/a.txt", "x");

        assertThat(ids(context)).containsExactly("a.txt");
        write("later/b.txt", "x");
        assertThat(ids(context)).containsExactly("a.txt", "b.txt");
    }

    @Test
    void aContextOfDocumentsReturnsThemInOrder() {
        Document first = Document.of("notes/first.md", "héllo");
        Document second = new Document("second", "ignored", Map.of("size", "42"));
        TaskContext context = TaskContext.of(first, second);

        assertThat(context.root()).isEmpty();
        StepVerifier.create(context.documents()).expectNext(first, second).expectComplete().verify(TIMEOUT);
        StepVerifier.create(context.files())
                .expectNext(Path.of("notes", "first.md"), Path.of("second"))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(context.listing(1))
                .expectNext("notes/first.md (6 bytes)\n… and 1 more file")
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(TaskContext.of(List.of(second)).listing(5))
                .expectNext("second (42 bytes)")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void directoryOptionsRejectNonPositiveLimitsNamingTheField() {
        DirectoryOptions defaults = DirectoryOptions.defaults();

        assertThat(defaults).isEqualTo(new DirectoryOptions(1024 * 1024, 10_000, true, List.of()));
        assertThatThrownBy(() -> defaults.withMaxFileBytes(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFileBytes");
        assertThatThrownBy(() -> defaults.withMaxFiles(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFiles");
        assertThat(defaults.withMaxFiles(7).withMaxFileBytes(8).withRespectGitignore(false))
                .isEqualTo(new DirectoryOptions(8, 7, false, List.of()));
    }

    @Test
    void documentsCopyTheirMetadataAndRejectNulls() {
        Map<String, String> metadata = new HashMap<>(Map.of("path", "a.txt"));
        Document document = new Document("a.txt", "x", metadata);
        metadata.put("size", "1");

        assertThat(document.metadata()).containsOnlyKeys("path");
        assertThatThrownBy(() -> document.metadata().put("k", "v")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new Document("a", null, Map.of())).isInstanceOf(NullPointerException.class);
    }

    @Test
    void scanReportsSkippedFilesWithTheirReasonBesideTheDocuments() throws IOException {
        write("a.txt", "alpha");
        Files.write(root.resolve("latin1.txt"), new byte[]{'c', 'a', 'f', (byte) 0xE9});
        Files.write(root.resolve("image.bin"), new byte[]{1, 0, 2});
        write("big.txt", "x".repeat(100));
        write(".gitignore", "ignored.txt\n");
        write("ignored.txt", "never seen");

        TaskContext context = TaskContext.fromDirectory(root, DirectoryOptions.defaults().withMaxFileBytes(50));
        List<ContextFile> files = context.scan().collectList().block(TIMEOUT);

        assertThat(files).extracting(ContextFile::path)
                .containsExactly(".gitignore", "a.txt", "big.txt", "image.bin", "latin1.txt");
        assertThat(files.get(1)).isEqualTo(new ContextFile.Text(new Document("a.txt", "alpha",
                Map.of(Document.PATH, "a.txt", Document.SIZE, "5"))));
        assertThat(((ContextFile.Skipped) files.get(2)).reason()).isEqualTo("100 bytes, over the limit of 50");
        assertThat(((ContextFile.Skipped) files.get(3)).reason()).isEqualTo("binary (a NUL byte)");
        assertThat(((ContextFile.Skipped) files.get(4)).reason()).isEqualTo("not UTF-8 text");
        assertThat(ids(context)).containsExactly(".gitignore", "a.txt");
        assertThat(TaskContext.of(Document.of("n", "t")).scan().collectList().block(TIMEOUT))
                .containsExactly(new ContextFile.Text(Document.of("n", "t")));
    }

    private Path write(String relativePath, String content) {
        try {
            Path file = root.resolve(relativePath);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> ids(TaskContext context) {
        return context.documents().map(Document::id).collectList().block(TIMEOUT);
    }
}
