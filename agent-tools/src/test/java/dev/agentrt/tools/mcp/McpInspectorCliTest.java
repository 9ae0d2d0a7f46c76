package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ServerTelemetry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The MCP Inspector's CLI ({@code @modelcontextprotocol/inspector}, pinned in {@code src/test/npm} and
 * run with the machine's Node) against agentrt's MCP server over stdio (a Java subprocess the Inspector
 * spawns) and over streamable HTTP, stateful and stateless, in each protocol era the CLI offers
 * ({@code --protocol-era legacy | auto | modern}). The CLI prints one JSON object with {@code --format
 * json}: {@code {"result": ...}} on stdout, {@code {"error": {"code", "message"}}} on stderr; exit 0 is
 * success, 5 a tool's error result. The legacy era is the initialize handshake (the Inspector offers
 * 2025-11-25); the modern era pins 2026-07-28, which begins with {@code server/discover} and carries the
 * protocol version and the client's capabilities in every request's {@code _meta}; the auto era probes with
 * {@code server/discover} and, since our server answers it, speaks 2026-07-28 too. The HTTP server's telemetry
 * records which revision served each call. Process timeouts are hang guards only: no assertion depends on how
 * fast anything is.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class McpInspectorCliTest {
    private static final long GUARD_SECONDS = 180;
    private static final String INSPECTOR_VERSION = "2.12.0";
    /** What the Inspector's SDK (client 2.3.1) offers in initialize: its newest version, also ours. */
    private static final String LEGACY_VERSION = "2025-11-25";
    private static final String MODERN_VERSION = "2026-07-28";

    @TempDir
    Path dir;

    private final List<McpHttpServer> servers = new ArrayList<>();
    /** The mcp.protocol.version of each tools/call the in-process (HTTP) server answered. */
    private final Queue<String> servedVersions = new ConcurrentLinkedQueue<>();
    private Leaks leaks;

    @BeforeEach
    void watchForLeaks() {
        leaks = new Leaks();
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        servers.forEach(McpHttpServer::close);
        leaks.assertNoThreadsLeft("HTTP-Dispatcher", "agentrt-mcp-");
        leaks.assertNoProcessesLeft();
    }

    /** How the Inspector reaches the server. */
    enum Transport {
        STDIO, HTTP, HTTP_STATELESS
    }

    /** The CLI's {@code --protocol-era}. */
    enum Era {
        /** The initialize handshake of the 2025 revisions. */
        LEGACY,
        /** {@code server/discover} first; the initialize handshake when the server gives no modern answer. */
        AUTO,
        /** 2026-07-28 only, no fallback. */
        MODERN;

        String flag() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The revision a call is served in: what our HTTP server's telemetry records. */
        String version() {
            return this == LEGACY ? LEGACY_VERSION : MODERN_VERSION;
        }
    }

    static Stream<Arguments> transportsInBothEras() {
        return Stream.of(Transport.values())
                .flatMap(t -> Stream.of(Arguments.of(t, Era.LEGACY), Arguments.of(t, Era.MODERN)));
    }

    /**
     * For the scenarios that show nothing era-specific (load, resources and prompts): each run costs a Node (and for
     * stdio a JVM) start, so they run in the legacy era only; the modern era's requests reach the same code past the
     * envelope, which the first four scenarios exercise on every transport.
     */
    static Stream<Arguments> transportsInTheLegacyEra() {
        return Stream.of(Transport.values()).map(t -> Arguments.of(t, Era.LEGACY));
    }

    /** What one CLI run printed and how it exited. */
    record Run(List<String> command, int exit, String stdout, String stderr) {
        /** The result of a run that succeeded. */
        JsonObject result() {
            assertThat(exit).as("exit code; %s", this).isZero();
            return resultPrinted();
        }

        /** The result printed on stdout, which the CLI prints for a tool's error result too. */
        JsonObject resultPrinted() {
            return JsonValue.parse(stdout.strip())
                    .asObject()
                    .getObject("result")
                    .orElseThrow(
                            () -> new AssertionError("no result in " + this));
        }

        /** The error envelope on stderr: the only thing there with --quiet. */
        JsonObject error() {
            assertThat(exit).as("exit code; %s", this).isNotZero();
            return JsonValue.parse(stderr.strip())
                    .asObject()
                    .getObject("error")
                    .orElseThrow(
                            () -> new AssertionError("no error envelope in " + this));
        }

        @Override
        public String toString() {
            return String.join(" ", command) + "\nexit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n"
                    + stderr;
        }
    }

    /**
     * The command or URL the Inspector is given, with the options every run against it takes; a stdio server is
     * marked to find its process afterwards.
     */
    record Target(List<String> args, String marker, List<String> options) {
        Target with(String... otherOptions) {
            return new Target(args, marker, List.of(otherOptions));
        }
    }

    @Test
    void theInspectorIsThePinnedVersion() throws Exception {
        Run version = inspect(List.of("--version"));
        assertThat(version.exit()).as("%s", version).isZero();
        assertThat(version.stdout().strip()).endsWith(INSPECTOR_VERSION);
    }

    @ParameterizedTest
    @MethodSource("transportsInBothEras")
    void listsTheToolsWithSchemasTheStrictCheckAccepts(Transport transport, Era era) throws Exception {
        Target target = target(transport);
        Run run = inspect(target, era, "--method", "tools/list", "--strict");
        assertServerProcessesEnded(target);
        var tools = run.result().getArray("tools").orElseThrow().items();
        assertThat(tools).extracting(t -> t.asObject().getString("name").orElseThrow())
                .containsExactly("echo", "refund", "lookup", "divide");
        JsonObject echoSchema = tools.getFirst().asObject().getObject("inputSchema").orElseThrow();
        assertThat(echoSchema.getArray("required").orElseThrow().items()).containsExactly(JsonValue.of("text"));
    }

    @ParameterizedTest
    @MethodSource("transportsInBothEras")
    void callsToolsWithArguments(Transport transport, Era era) throws Exception {
        Target target = target(transport);
        Run echo = inspect(target, era, "--method", "tools/call", "--tool-name", "echo", "--tool-arg",
                "text=from the Inspector");
        assertThat(echo.result().getBoolean("isError")).isNotEqualTo(Optional.of(true));
        assertThat(text(echo.result())).isEqualTo("echo: from the Inspector");

        // key=value pairs are typed by the tool's schema: a and b reach the tool as numbers
        Run divide = inspect(target, era, "--method", "tools/call", "--tool-name", "divide", "--tool-arg", "a=7",
                "b=2");
        assertThat(text(divide.result())).isEqualTo("quotient: 3.5");
        if (transport != Transport.STDIO) {
            assertThat(servedVersions).containsExactly(era.version(), era.version());
        }
        assertServerProcessesEnded(target);
    }

    @ParameterizedTest
    @MethodSource("transportsInBothEras")
    void reportsAToolsErrorResult(Transport transport, Era era) throws Exception {
        Target target = target(transport);
        Run run = inspect(target, era, "--method", "tools/call", "--tool-name", "divide", "--tool-args-json",
                "{\"a\":7,\"b\":0}");
        assertThat(run.exit()).as("%s", run).isEqualTo(5);
        assertThat(run.resultPrinted().getBoolean("isError")).contains(true);
        assertThat(text(run.resultPrinted())).isEqualTo("cannot divide by zero");
        assertThat(run.error().getString("code")).contains("tool_is_error");
        if (era == Era.MODERN) {
            // The argument check below is the registry's, the same whatever the revision: one more run shows nothing.
            assertServerProcessesEnded(target);
            return;
        }

        Run invalid = inspect(target, era, "--method", "tools/call", "--tool-name", "echo", "--tool-args-json",
                "{\"text\":7}");
        assertThat(invalid.exit()).as("%s", invalid).isEqualTo(5);
        assertThat(invalid.resultPrinted().getBoolean("isError")).contains(true);
        assertThat(text(invalid.resultPrinted())).startsWith("Invalid arguments for tool \"echo\"")
                .contains("$.text");
        assertServerProcessesEnded(target);
    }

    @ParameterizedTest
    @MethodSource("transportsInBothEras")
    void reportsACallTheGrantsDeny(Transport transport, Era era) throws Exception {
        Target target = target(transport);
        Run run = inspect(target, era, "--method", "tools/call", "--tool-name", "refund");
        assertThat(run.exit()).as("%s", run).isEqualTo(5);
        assertThat(run.resultPrinted().getBoolean("isError")).contains(true);
        assertThat(text(run.resultPrinted())).startsWith("Permission denied").contains("payments:refund");
        assertThat(run.error().getString("code")).contains("tool_is_error");
        if (era == Era.LEGACY) {
            // What the grants allow runs (in the modern era the echo scenario shows that already).
            assertThat(text(inspect(target, era, "--method", "tools/call", "--tool-name", "lookup").result()))
                    .isEqualTo("customer 42");
        }
        if (transport != Transport.STDIO) {
            assertThat(servedVersions).hasSize(era == Era.LEGACY ? 2 : 1).containsOnly(era.version());
        }
        assertServerProcessesEnded(target);
    }

    /** The CLI's --load: calls in flight at once, on one connection; counted, never timed. */
    @ParameterizedTest
    @MethodSource("transportsInTheLegacyEra")
    void answersEveryCallOfManyInFlightAtOnce(Transport transport, Era era) throws Exception {
        Target target = target(transport);
        Run run = inspect(target, era, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "text=load",
                "--load", "--load-requests", "200", "--load-concurrency", "20");
        assertServerProcessesEnded(target);
        JsonObject load = run.result();
        assertThat(load.getLong("requests")).as("%s", run).contains(200L);
        assertThat(load.getLong("ok")).as("%s", run).contains(200L);
        assertThat(load.getLong("toolErrors")).as("%s", run).contains(0L);
        assertThat(load.getLong("errors")).as("%s", run).contains(0L);
        if (transport != Transport.STDIO) {
            assertThat(servedVersions).hasSize(200).containsOnly(LEGACY_VERSION);
        }
    }

    /**
     * Resources and prompts: whatever the server offers, the CLI ends cleanly, with a list (empty while the
     * server advertises neither capability: the Inspector's SDK then answers locally) or an error envelope.
     */
    @ParameterizedTest
    @MethodSource("transportsInTheLegacyEra")
    void listsResourcesAndPromptsOrReportsACleanError(Transport transport, Era era) throws Exception {
        Target target = target(transport);
        for (String[] list : List.of(new String[]{"resources/list", "resources"},
                new String[]{"prompts/list", "prompts"})) {
            Run run = inspect(target, era, "--method", list[0]);
            assertServerProcessesEnded(target);
            if (run.exit() == 0) {
                assertThat(run.result().getArray(list[1])).as("%s", run).isPresent();
            } else {
                assertThat(run.error().getString("message")).as("%s", run).isPresent();
            }
        }
    }

    static Stream<Arguments> httpInBothEras() {
        return transportsInBothEras().filter(a -> a.get()[0] != Transport.STDIO);
    }

    /** The CLI's exit 3 (auth_required) for our 401; --stored-auth-only keeps it from starting an OAuth login. */
    @ParameterizedTest
    @MethodSource("httpInBothEras")
    void anHttpServerWithBearerTokensRefusesTheCliWithoutTheToken(Transport transport, Era era) throws Exception {
        McpHttpServer server = InspectedServerMain.server(recordVersions())
                .serveHttp(McpHttpOptions.defaults()
                        .stateless(transport == Transport.HTTP_STATELESS)
                        .bearerTokens("s3cret"::equals));
        servers.add(server);
        Target target = new Target(List.of(server.url().toString()), "", List.of());
        for (String header : List.of("X-No-Token: 1", "Authorization: Bearer wrong")) {
            Run refused = inspect(target.with("--stored-auth-only", "--header", header), era, "--method", "tools/list");
            assertThat(refused.exit()).as("%s", refused).isEqualTo(3);
            assertThat(refused.error().getString("code")).contains("auth_required");
        }
        target = target.with("--stored-auth-only", "--header", "Authorization: Bearer s3cret");
        Run run = inspect(target, era, "--method", "tools/list");
        assertThat(run.result().getArray("tools").orElseThrow().size()).isEqualTo(4);
    }

    /** The auto era probes with server/discover, which our server answers: it settles on 2026-07-28. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void theAutoEraSettlesOnTheModernRevision(Transport transport) throws Exception {
        Target target = target(transport);
        Run echo = inspect(target, Era.AUTO, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "text=hi");
        assertThat(text(echo.result())).isEqualTo("echo: hi");
        if (transport != Transport.STDIO) {
            assertThat(servedVersions).containsExactly(MODERN_VERSION);
        }
        assertServerProcessesEnded(target);
    }

    private static String text(JsonObject result) {
        return result.getArray("content").orElseThrow().get(0).asObject().getString("text").orElseThrow();
    }

    // ---- servers

    private Target target(Transport transport) {
        return switch (transport) {
            case STDIO -> {
                String marker = "-Dinspected.run=" + UUID.randomUUID();
                yield new Target(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), marker,
                        "-cp", System.getProperty("java.class.path"), InspectedServerMain.class.getName()), marker,
                        List.of());
            }
            case HTTP, HTTP_STATELESS -> {
                McpHttpServer server = InspectedServerMain.server(recordVersions())
                        .serveHttp(McpHttpOptions.defaults().stateless(transport == Transport.HTTP_STATELESS));
                servers.add(server);
                yield new Target(List.of(server.url().toString()), "", List.of());
            }
        };
    }

    private ServerTelemetry recordVersions() {
        return (operation, target, carrier, attributes) -> {
            servedVersions.add(String.valueOf(attributes.get("mcp.protocol.version")));
            return ServerTelemetry.Call.NONE;
        };
    }

    /**
     * Waits (as a hang guard) for every server process the Inspector started for {@code target} to end: once
     * the CLI has exited they are no longer this JVM's descendants, so they are found by their marker.
     */
    private static void assertServerProcessesEnded(Target target) throws Exception {
        if (target.marker().isEmpty()) {
            return;
        }
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(target.marker())).orElse(false))
                .toList();
        for (ProcessHandle p : left) {
            p.onExit().get(GUARD_SECONDS, TimeUnit.SECONDS);
        }
        assertThat(left).allMatch(p -> !p.isAlive());
    }

    // ---- the CLI

    private Run inspect(Target target, Era era, String... method) throws Exception {
        var args = new ArrayList<>(List.of("--format", "json", "--quiet", "--protocol-era", era.flag()));
        args.addAll(target.options());
        args.addAll(List.of(method));
        args.add("--"); // --tool-arg takes every word up to the next option
        args.addAll(target.args());
        return inspect(args);
    }

    /**
     * Runs the CLI with its home, catalog and client config in the test's directory, so that nothing of
     * the user's is read or written.
     */
    private Run inspect(List<String> cliArgs) throws Exception {
        var command = new ArrayList<>(List.of(TestServers.node(), inspector(), "--cli"));
        command.addAll(cliArgs);
        String id = UUID.randomUUID().toString();
        Path out = dir.resolve(id + ".out");
        Path err = dir.resolve(id + ".err");
        Path home = Files.createDirectories(dir.resolve("home"));
        var builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment()
                .putAll(Map.of("HOME", home.toString(), "MCP_CATALOG_PATH",
                        home.resolve("mcp.json").toString(), "MCP_CLIENT_CONFIG_PATH",
                        home.resolve("client.json").toString()));
        Process cli = builder.start();
        cli.getOutputStream().close();
        if (!cli.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            cli.descendants().forEach(ProcessHandle::destroyForcibly);
            cli.destroyForcibly();
            throw new AssertionError("the Inspector CLI did not finish (hang guard): " + command);
        }
        return new Run(command, cli.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String inspector() {
        Path js = TestServers.NPM.resolve("@modelcontextprotocol/inspector/clients/launcher/build/index.js");
        if (!Files.isRegularFile(js)) {
            throw new AssertionError(js + " is missing: the build installs the MCP Inspector with 'npm ci' in "
                    + "src/test/npm (run 'mvn test', or 'npm ci' there)");
        }
        return js.toString();
    }
}
