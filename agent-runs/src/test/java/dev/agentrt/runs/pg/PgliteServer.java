package dev.agentrt.runs.pg;

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
 * PGlite (PostgreSQL 18 compiled to WASM) served over the PostgreSQL wire protocol on 127.0.0.1 by
 * {@code pglite-server} from {@code @electric-sql/pglite-socket}, run with the machine's {@code node}. The npm
 * packages come from {@code agent-runs/src/test/npm} (pinned in its package-lock.json, installed by the pom's
 * {@code npm ci} step); nothing is downloaded here. Anything missing is a test failure with a message saying
 * what, never a skip. (agent-memory's tests have a server like this one; test classes are not shared between
 * modules.)
 *
 * <p>PGlite is one PostgreSQL backend shared by every socket: the server queues protocol messages one at a time
 * and keeps a transaction's together, but session state (prepared statements, portals, the search path) is
 * shared, and the startup message's parameters ({@code currentSchema}, {@code options}) are not applied. Outside a
 * transaction the messages of two sockets interleave, so one connection's Bind can replace the unnamed portal
 * another connection is about to execute ("portal "" does not exist", or another query's rows). The URL therefore
 * has pgjdbc send every statement as one simple-protocol Query message ({@code preferQueryMode=simple}, parameters
 * inlined by the driver), which the server runs whole, and no named prepared statements
 * ({@code prepareThreshold=0}); tests isolate stores by dropping tables rather than by schema (see
 * {@link PgDatabase}).
 */
final class PgliteServer implements AutoCloseable {
    static final Path NPM = Path.of("src/test/npm").toAbsolutePath();
    private static final Path SCRIPT = NPM.resolve("node_modules/@electric-sql/pglite-socket/dist/scripts/server.js");
    private static final long START_TIMEOUT_MS = 60_000;

    private final int port;
    private final String db;
    private final Path log;
    private Process process;

    private PgliteServer(int port, String db, Path log) {
        this.port = port;
        this.db = db;
        this.log = log;
    }

    /** Starts a server on a free port, in memory ({@code dataDir} null) or persisting to {@code dataDir}. */
    static PgliteServer start(Path dataDir) {
        int port = freePort();
        String db = dataDir == null ? "memory://" : dataDir.toAbsolutePath().toString();
        var server = new PgliteServer(port, db, Path.of("target", "pglite-" + port + ".log").toAbsolutePath());
        server.startProcess();
        return server;
    }

    /** The server's URL: always 127.0.0.1, user postgres (PGlite accepts any password). */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&sslmode=disable&prepareThreshold=0"
                + "&preferQueryMode=simple";
    }

    /** Kills the server at once (SIGKILL: no shutdown, as in a crash). */
    void kill() {
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

    /** Starts the server again on the same port with the same database (killing it first if it runs). */
    void restart() {
        kill();
        startProcess();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        kill();
    }

    private void startProcess() {
        if (!Files.isRegularFile(SCRIPT)) {
            throw new AssertionError(SCRIPT + " is missing: the PostgresRunStore tests need the npm packages of "
                    + "agent-runs/src/test/npm, which the build installs with 'npm ci' in process-test-resources "
                    + "(run 'mvn test', or 'npm ci' in agent-runs/src/test/npm); or set " + PgDatabase.URL_PROPERTY
                    + " (or " + PgDatabase.URL_VARIABLE + ") to the JDBC URL of a PostgreSQL");
        }
        var command = List.of(node(), SCRIPT.toString(), "--db=" + db, "--host=127.0.0.1", "--port=" + port,
                "--max-connections=32");
        long logStart;
        try {
            Files.createDirectories(log.getParent());
            logStart = Files.exists(log) ? Files.size(log) : 0;
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
                        + port + "; its output:\n" + logTail());
            }
            // Ready when this start logged "listening" and a real PostgreSQL session works: a bare TCP probe that
            // closes before the startup message can race the server's initialisation.
            if (logSince(logStart).contains("listening") && answersQueries()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        kill();
        throw new AssertionError("pglite-server did not listen on 127.0.0.1:" + port + " within "
                + START_TIMEOUT_MS / 1000 + " s; its output:\n" + logTail());
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

    private String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private String logTail() {
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
            throw new AssertionError("the PostgresRunStore tests need Node.js ('node' on the PATH) to run PGlite, or "
                    + PgDatabase.URL_PROPERTY + " set to the JDBC URL of a PostgreSQL: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError(
                "the PostgresRunStore tests need Node.js ('node' on the PATH); 'node --version' failed");
    }

    private static int freePort() {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port: " + e, e);
        }
    }
}
