package dev.agentrt.examples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

class ChromiumTest {
    @Test
    void aMissingChromiumFailsWithTheCommandThatInstallsIt(@TempDir Path empty) {
        assertThatThrownBy(() -> Chromium.executable(empty.toString())).isInstanceOf(AssertionError.class)
                .hasMessageContaining("chromium is not installed")
                .hasMessageContaining("apt-get install -y --no-install-recommends chromium")
                .hasMessageContaining(".ci/chromium");
    }

    @Test
    void chromiumIsFoundInTheFirstDirectoryOfThePathThatHasIt(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path chromium = Files.createFile(bin.resolve("chromium"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));

        assertThat(Chromium.executable(dir.resolve("none") + ":" + bin)).isEqualTo(chromium.toString());
    }
}
