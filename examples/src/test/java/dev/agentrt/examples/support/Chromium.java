package dev.agentrt.examples.support;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Chromium (Debian's {@code chromium} package, which {@code .ci/chromium} installs before the examples'
 * tests) on a local file: {@link #dumpDom} returns the page's DOM as the browser has it after the page's scripts ran.
 * Chromium is started with everything that would reach the network turned off, with a fresh profile each time.
 */
public final class Chromium {
    private static final String INSTALL = "apt-get install -y --no-install-recommends chromium";
    /** A hang guard, not a timing assertion: Chromium normally exits within seconds. */
    private static final long GUARD_MINUTES = 2;

    private Chromium() {}

    /** The DOM of {@code page} (a local HTML file) after it loaded, serialised by Chromium. */
    public static String dumpDom(Path page, Path workDir) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(workDir.resolve("chromium-profile"));
        Path stdout = workDir.resolve("chromium.out");
        Path stderr = workDir.resolve("chromium.err");
        List<String> command = List.of(executable(System.getenv().getOrDefault("PATH", "/usr/bin:/bin")), "--headless",
                "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--dump-dom", page.toUri().toString());
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .start();
        try {
            if (!process.waitFor(GUARD_MINUTES, TimeUnit.MINUTES)) {
                fail("chromium did not exit within " + GUARD_MINUTES + " minutes; its errors:\n" + tail(stderr));
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        if (process.exitValue() != 0) {
            fail("chromium exited with " + process.exitValue() + "; its errors:\n" + tail(stderr));
        }
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    /** {@code chromium} in a directory of {@code path} (a PATH value), or a failure that says how to install it. */
    static String executable(String path) {
        return Stream.of(path.split(java.io.File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "chromium"))
                .filter(Files::isExecutable)
                .findFirst()
                .map(Path::toString)
                .orElseGet(() -> fail("chromium is not installed, and the run report's browser test needs it. Install"
                        + " Debian's package: `" + INSTALL + "` (as root), or run the build as root on Debian, where"
                        + " the examples module runs .ci/chromium to install it."));
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String tail(Path file) throws IOException {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        return text.length() <= 4_000 ? text : text.substring(text.length() - 4_000);
    }
}
