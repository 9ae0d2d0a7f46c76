package dev.agentrt.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class PathPolicyTest {
    @TempDir
    Path temp;

    Path granted;
    Path outside;

    @BeforeEach
    void setUp() throws IOException {
        granted = Files.createDirectory(temp.resolve("granted")).toRealPath();
        outside = Files.createDirectory(temp.resolve("outside")).toRealPath();
    }

    private static void symlink(Path link, Path target) throws IOException {
        try {
            Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "this file system cannot make symbolic links: " + e);
        }
    }

    @Test
    void aDanglingLinkInsideAGrantThatPointsOutsideIsOutside() throws IOException {
        symlink(granted.resolve("link"), outside.resolve("new.txt"));

        assertThat(PathPolicy.realPath(granted.resolve("link"))).isEqualTo(outside.resolve("new.txt"));
        assertThat(PathPolicy.within(granted.resolve("link"), granted)).isFalse();
        assertThat(Capability.fileWrite(granted).covers(Capability.fileWrite(granted.resolve("link")))).isFalse();
    }

    @Test
    void aDanglingDirectoryLinkLeadsBelowItsTarget() throws IOException {
        symlink(granted.resolve("dir"), outside.resolve("missing"));

        assertThat(PathPolicy.realPath(granted.resolve("dir/sub/f.txt")))
                .isEqualTo(outside.resolve("missing/sub/f.txt"));
        assertThat(PathPolicy.within(granted.resolve("dir/sub/f.txt"), granted)).isFalse();
    }

    @Test
    void aDanglingLinkWithARelativeTargetInsideTheGrantStaysInside() throws IOException {
        symlink(granted.resolve("link"), Path.of("later.txt"));

        assertThat(PathPolicy.realPath(granted.resolve("link"))).isEqualTo(granted.resolve("later.txt"));
        assertThat(PathPolicy.within(granted.resolve("link"), granted)).isTrue();
    }

    @Test
    void aChainOfDanglingLinksIsFollowedToItsEnd() throws IOException {
        symlink(granted.resolve("a"), granted.resolve("b"));
        symlink(granted.resolve("b"), outside.resolve("c"));

        assertThat(PathPolicy.realPath(granted.resolve("a"))).isEqualTo(outside.resolve("c"));
        assertThat(PathPolicy.within(granted.resolve("a"), granted)).isFalse();
    }

    @Test
    void aLoopOfLinksIsWithinNothingAndCannotBeResolved() throws IOException {
        symlink(granted.resolve("a"), granted.resolve("b"));
        symlink(granted.resolve("b"), granted.resolve("a"));

        assertThat(PathPolicy.within(granted.resolve("a"), granted)).isFalse();
        assertThatThrownBy(() -> PathPolicy.realPath(granted.resolve("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("symbolic links");
    }

    @Test
    void aMissingFileResolvesThroughItsExistingAncestors() throws IOException {
        symlink(granted.resolve("out"), outside);

        assertThat(PathPolicy.realPath(granted.resolve("new/file.txt"))).isEqualTo(granted.resolve("new/file.txt"));
        assertThat(PathPolicy.realPath(granted.resolve("out/file.txt"))).isEqualTo(outside.resolve("file.txt"));
    }
}
