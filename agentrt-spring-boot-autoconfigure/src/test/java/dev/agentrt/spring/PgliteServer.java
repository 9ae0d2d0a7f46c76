package dev.agentrt.spring;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * PGlite (PostgreSQL 18 compiled to WASM, with the real pgvector extension) served over the PostgreSQL wire
 * protocol on 127.0.0.1 by {@code pglite-server} from {@code @electric-sql/pglite-socket}, run with the machine's
 * {@code node}, for the tests that give the auto-configuration an application {@code DataSource}. The npm packages
 * come from {@code src/test/npm} (pinned in its package-lock.json, installed by the pom's {@code npm ci} step);
 * nothing is downloaded here. Anything missing is a test failure saying what, never a skip. (agent-runs and
 * agent-memory test their stores on servers like this one; test classes are not shared between modules.)
 *
 * <p>PGlite is one PostgreSQL backend shared by every socket, so the URL has pgjdbc send each statement as one
 * simple-protocol message and use no named prepared statements (see agent-runs' PgliteServer for why).
 */
final class PgliteServer implements AutoCloseable {
    private static final Path NPM = Path.of("src/test/npm").toAbsolutePath();
    private static final Path SCRIPT = NPM.resolve("node_modules/@electric-sql/pglite-socket/dist/scripts/server.js");
    private static final long START_TIMEOUT_MS = 60_000;

    private final int port;
    private final Path log;
    private Process process;

    private PgliteServer(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    /** Starts an in-memory server on a free port. */
    static PgliteServer start() {
        int port = freePort();
        var server = new PgliteServer(port, Path.of("target", "pglite-" + port + ".log").toAbsolutePath());
        server.startProcess();
        return server;
    }

    /** The server's URL: always 127.0.0.1, user postgres (PGlite accepts any password). */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&sslmode=disable&prepareThreshold=0"
                + "&preferQueryMode=simple";
    }

    @Override
    public void close() {
        Process p = process;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    throw new AssertionError("pglite-server (pid " + p.pid() + ") did not exit after SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    private void startProcess() {
        if (!Files.isRegularFile(SCRIPT)) {
            throw new AssertionError(SCRIPT + " is missing: the DataSource tests need the npm packages of "
                    + "agentrt-spring-boot-autoconfigure/src/test/npm, which the build installs with 'npm ci' in "
                    + "process-test-resources (run 'mvn test', or 'npm ci' in that directory)");
        }
        var command = List.of(node(), SCRIPT.toString(), "--db=memory://", "--host=127.0.0.1", "--port=" + port,
                "--extensions=@electric-sql/pglite-pgvector:vector", "--max-connections=32");
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command).directory(NPM.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new AssertionError("cannot start pglite-server (" + String.join(" ", command) + "): " + e, e);
        }
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("pglite-server exited with " + process.exitValue() + " before listening on "
                        + port + "; its output:\n" + logText());
            }
            // Ready when it logged "listening" and a real PostgreSQL session works (a bare TCP probe can race its
            // initialisation). Polling a process that starts in its own time; nothing here is timed.
            if (logText().contains("listening") && answersQueries()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new AssertionError("pglite-server did not listen on 127.0.0.1:" + port + " within "
                + START_TIMEOUT_MS / 1000 + " s; its output:\n" + logText());
    }

    private boolean answersQueries() {
        var props = new Properties();
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "5");
        try (var c = DriverManager.getConnection(jdbcUrl(), props);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    private String logText() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static String node() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return "node";
            }
            p.destroyForcibly();
        } catch (IOException e) {
            throw new AssertionError("the DataSource tests need Node.js ('node' on the PATH) to run PGlite: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("the DataSource tests need Node.js ('node' on the PATH); 'node --version' failed");
    }

    private static int freePort() {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port: " + e, e);
        }
    }
}
