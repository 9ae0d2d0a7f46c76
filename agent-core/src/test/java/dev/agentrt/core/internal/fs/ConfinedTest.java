package dev.agentrt.core.internal.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

class ConfinedTest {
    @TempDir
    Path temp;

    Path root;
    Path outside;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(temp.resolve("root")).toRealPath();
        outside = Files.createDirectory(temp.resolve("outside")).toRealPath();
        Files.writeString(outside.resolve("secret.txt"), "TOP SECRET");
        Files.createDirectory(root.resolve("sub"));
        Files.writeString(root.resolve("sub/ok.txt"), "fine");
    }

    @AfterEach
    void resetHook() {
        Confined.hook = Confined.NO_HOOK;
    }

    private static void symlink(Path link, Path target) throws IOException {
        try {
            Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "this file system cannot make symbolic links: " + e);
        }
    }

    /** Replaces {@code path} with a link to {@code target}, keeping what was there under a new name. */
    private static void swapForLink(Path path, Path target) throws IOException {
        Files.move(path, path.resolveSibling(path.getFileName() + ".moved"));
        symlink(path, target);
    }

    private List<Path> regularFilesOutside() throws IOException {
        try (Stream<Path> all = Files.walk(outside)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void readsAndWritesBelowTheRoot() throws IOException {
        try (Dir dir = Confined.open(root, List.of("sub"), false)) {
            assertThat(new String(Confined.readAll(dir, "ok.txt", 100), StandardCharsets.UTF_8)).isEqualTo("fine");
            assertThat(Confined.writeAtomically(dir, "ok.txt", "new".getBytes(StandardCharsets.UTF_8))).isTrue();
            assertThat(Confined.writeAtomically(dir, "more.txt", "x".getBytes(StandardCharsets.UTF_8))).isFalse();
        }
        assertThat(root.resolve("sub/ok.txt")).hasContent("new");
        assertThat(root.resolve("sub/more.txt")).hasContent("x");
        try (Stream<Path> left = Files.list(root.resolve("sub"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ok.txt", "more.txt");
        }
    }

    @Test
    void aDirectorySwappedForALinkBetweenCheckAndOpenIsDenied() throws IOException {
        Confined.hook = new Confined.Hook() {
            @Override
            public void beforeOpen(Path path) throws IOException {
                if (path.getFileName().toString().equals("sub")) {
                    swapForLink(path, outside);
                }
            }
        };

        assertThatThrownBy(() -> Confined.open(root, List.of("sub"), false))
                .isInstanceOfSatisfying(ConfinementException.class, e -> assertThat(e.denied()).isTrue())
                .hasMessageContaining("sub changed while it was being opened");
    }

    @Test
    void aFileSwappedForALinkBetweenCheckAndOpenIsDeniedAndNothingIsRead() throws IOException {
        Confined.hook = new Confined.Hook() {
            @Override
            public void beforeOpen(Path path) throws IOException {
                if (path.getFileName().toString().equals("ok.txt")) {
                    swapForLink(path, outside.resolve("secret.txt"));
                }
            }
        };

        try (Dir dir = Confined.open(root, List.of("sub"), false)) {
            assertThatThrownBy(() -> Confined.readAll(dir, "ok.txt", 100))
                    .isInstanceOfSatisfying(ConfinementException.class, e -> assertThat(e.denied()).isTrue())
                    .hasMessageNotContaining("TOP SECRET");
        }
    }

    @Test
    void aParentSwappedForALinkBeforeADirectoryIsCreatedIsDeniedAndNothingIsWrittenOutside() throws IOException {
        Confined.hook = new Confined.Hook() {
            @Override
            public void beforeCreateDirectory(Path path) throws IOException {
                swapForLink(root.resolve("sub"), outside);
            }
        };

        assertThatThrownBy(() -> {
            try (Dir dir = Confined.open(root, List.of("sub", "new"), true)) {
                Confined.writeAtomically(dir, "f.txt", "pwned".getBytes(StandardCharsets.UTF_8));
            }
        }).isInstanceOfSatisfying(ConfinementException.class, e -> assertThat(e.denied()).isTrue());

        assertThat(regularFilesOutside()).containsExactly(outside.resolve("secret.txt"));
        // The documented residual: the directory itself may have been created, empty, where the link led.
        if (Files.exists(outside.resolve("new"))) {
            try (Stream<Path> inside = Files.list(outside.resolve("new"))) {
                assertThat(inside).isEmpty();
            }
        }
    }

    @Test
    void aLinkOnTheWayIsRefusedEvenWhenItLeadsInside() throws IOException {
        symlink(root.resolve("alias"), root.resolve("sub"));

        assertThatThrownBy(() -> Confined.open(root, List.of("alias"), false))
                .isInstanceOfSatisfying(ConfinementException.class, e -> assertThat(e.denied()).isTrue())
                .hasMessageContaining("alias is a symbolic link");
        assertThatThrownBy(() -> Confined.openReal(root.resolve("alias")))
                .isInstanceOfSatisfying(ConfinementException.class, e -> assertThat(e.denied()).isTrue());
    }

    @Test
    void openRealWalksFromTheFileSystemRoot() throws IOException {
        try (Dir dir = Confined.openReal(root.resolve("sub"))) {
            assertThat(dir.names()).containsExactly("ok.txt");
        }
        assertThatThrownBy(() -> Confined.openReal(Path.of("relative")))
                .isInstanceOfSatisfying(ConfinementException.class, e -> assertThat(e.denied()).isFalse());
    }

    @Test
    void anAtomicWriteReplacesALinkAtTheTargetInsteadOfFollowingIt() throws IOException {
        try (Dir dir = Confined.open(root, List.of("sub"), false)) {
            symlink(root.resolve("sub/link"), outside.resolve("secret.txt"));
            assertThatThrownBy(() -> Confined.writeAtomically(dir, "link", "pwned".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(ConfinementException.class, e -> assertThat(e.denied()).isTrue());
        }
        assertThat(outside.resolve("secret.txt")).hasContent("TOP SECRET");
    }

    @Test
    void aFileLargerThanTheLimitIsRefusedBeforeItIsRead() throws IOException {
        try (Dir dir = Confined.open(root, List.of("sub"), false)) {
            assertThatThrownBy(() -> Confined.readAll(dir, "ok.txt", 3))
                    .isInstanceOfSatisfying(ConfinementException.class, e -> assertThat(e.denied()).isFalse())
                    .hasMessageContaining("4 bytes, more than the limit of 3");
        }
    }

    @Test
    void aLoopOfLinksCannotBeResolvedForAGrantCheck() throws IOException {
        symlink(root.resolve("a"), root.resolve("b"));
        symlink(root.resolve("b"), root.resolve("a"));

        assertThatThrownBy(() -> Confined.realPath(root.resolve("a")))
                .isInstanceOfSatisfying(ConfinementException.class, e -> assertThat(e.denied()).isTrue());
    }

    @Test
    void anOpenedDirectoryIsStillAtItsPathUntilTheDirectoryThereChanges() throws IOException {
        try (Dir dir = Confined.openReal(root.resolve("sub"))) {
            assertThat(Confined.stillAt(dir, root.resolve("sub"))).isTrue();
            assertThat(Confined.stillAt(dir, root)).isFalse();

            swapForLink(root.resolve("sub"), outside);

            assertThat(Confined.stillAt(dir, root.resolve("sub"))).isFalse();
            assertThat(Confined.stillAt(dir, root.resolve("missing"))).isFalse();
        }
    }
}
