package dev.agentrt.tools.mcp;

import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolAccess;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.tools.internal.mcp.McpServerBridge;
import dev.agentrt.tools.internal.mcp.ServedPrompts;
import dev.agentrt.tools.internal.mcp.ServedQuestions;
import dev.agentrt.tools.internal.mcp.ServedResources;
import dev.agentrt.tools.internal.mcp.ServedTasks;
import dev.agentrt.tools.internal.mcp.ServedTools;
import dev.agentrt.tools.internal.mcp.ServerFeatures;
import dev.agentrt.tools.internal.mcp.StreamableHttpHandler;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Serves agentrt tools to MCP clients. Every {@code tools/call} runs through the {@link ToolRegistry}
 * under this server's policy, exactly like an agent's own calls: arguments validated against the
 * tool's schema, capabilities checked against {@link Builder#grants}, the call bounded by {@link
 * Builder#timeout}; a refusal or failure is an {@code isError} result. Clients see only the tools
 * {@link Builder#access} lets the principal use.
 *
 * <pre>{@code
 * public static void main(String[] args) {           // run as an MCP server subprocess
 *     McpServer.builder(ToolRegistry.of(search, readFile))
 *         .name("docs")
 *         .grants(Grants.of(Capability.fileRead(Path.of("/srv/docs"))))
 *         .build()
 *         .serveStdio()
 *         .block();
 * }
 * }</pre>
 *
 * <p>Transports: streamable HTTP ({@link #serveHttp(McpHttpOptions)}, on the JDK's own HTTP server:
 * sessions or stateless, origin checks, an optional bearer token check; see {@link McpHttpOptions}),
 * and stdio (newline-delimited JSON-RPC), over the process's own stdin and stdout or any pair of
 * streams. Over stdio, a line the server cannot use never stops it: a line that is not JSON gets a {@code -32700}
 * parse error, JSON that is not a JSON-RPC message a {@code -32600} invalid request, a line over
 * 16 MiB is skipped (not held) and rejected, blank lines are ignored, and the next message is served.
 * {@code ping} is answered at any time; other requests before the client's {@code
 * notifications/initialized} get an error. JSON-RPC batches are served when the client negotiated
 * protocol version 2025-03-26, the one revision that has them, and rejected otherwise.
 * {@code notifications/cancelled} cancels the call it names.
 *
 * <p>Protocol revisions: 2025-03-26, 2025-06-18 and 2025-11-25 through the initialize handshake, and 2026-07-28
 * without one, chosen by the client per stdio connection (its first request) or per HTTP request: a request that
 * carries {@code io.modelcontextprotocol/protocolVersion} and {@code io.modelcontextprotocol/clientCapabilities}
 * in {@code params._meta} is served in 2026-07-28 ({@code server/discover} included; results say {@code
 * "resultType": "complete"}), over HTTP without a session whatever the options. An unknown version there is a
 * {@code -32022} error naming the supported ones, a missing or malformed envelope a {@code -32602}, HTTP headers
 * that contradict the body a {@code -32020} ({@code Mcp-Name} compared once decoded from its {@code =?base64?...?=}
 * form), and over HTTP a method the server does not have a {@code 404} with {@code -32601}. Grants, origin and token checks, telemetry, paging, resources,
 * prompts and progress are the same in every revision. A 2026-07-28 client subscribes to resources with {@code
 * subscriptions/listen} (see {@link #resourceUpdated}); it cancels a request with {@code notifications/cancelled}
 * over stdio and by closing the request's event stream over HTTP (a tool call is answered as one whenever the
 * client accepts it; see {@link McpHttpOptions#keepAlive()}: a request answered with plain JSON cannot be
 * cancelled that way, as the JDK's HTTP server sees a closed connection only when it writes).
 *
 * <p>Besides tools, a server may serve resources and prompts, and declares those capabilities only
 * when it has some: the files of directories ({@link Builder#resources(McpFileResources)}, read
 * through agent-core's confinement layer and checked against the grants' {@code file-read}), the
 * entries of memory namespaces ({@link Builder#memoryResources}, checked against {@code memory-read}),
 * and prompts the application renders ({@link Builder#prompt}). {@code resources/list} is paged
 * ({@link Builder#resourcePageSize}); a resource the server does not serve, or refuses (outside its
 * directories, a symbolic link, not granted, too large), is a {@code -32002} error saying why; an unknown
 * prompt or a missing required argument a {@code -32602}. Nothing else of the server changes.
 *
 * <p>Progress: when a client's {@code tools/call} carries a {@code progressToken} (a string or an
 * integer) in {@code params._meta}, the tool's {@link dev.agentrt.core.tool.ToolContext#progress}
 * reports go to it as {@code notifications/progress} with that token, in the order made, each
 * progress greater than the last, all before the call's answer; over streamable HTTP that call is
 * then answered as an event stream when the client accepts one. A stateless HTTP server has no
 * channel for them and sends none; the call is answered as usual.
 *
 * <p>Tasks (MCP 2025-11-25, off by default; {@link Builder#tasks}): a client may call a tool as a task
 * ({@code params.task}); the call is answered at once with the task, the tool runs as a direct call would, and
 * {@code tasks/get}, {@code tasks/result}, {@code tasks/list} and {@code tasks/cancel} follow it. Tasks belong to the
 * stdio connection or HTTP session that made them and end with it. A stateless HTTP server serves none. In the
 * 2026-07-28 revision tasks are the {@code io.modelcontextprotocol/tasks} extension, which {@code server/discover}
 * then declares: a request whose client capabilities declare it has its {@code tools/call} answered with a task
 * ({@code resultType: "task"}), followed with {@code tasks/get}, {@code tasks/update} and {@code tasks/cancel}; a
 * client not declaring it gets complete results ({@code -32021} for a task-required tool). Having no session, these
 * tasks belong to the stdio connection or the HTTP endpoint (stateless too), under the same {@link McpTaskOptions}.
 *
 * <p>A tool that asks the user a question ({@link dev.agentrt.core.tool.ToolResult#inputRequired}) has it asked of
 * the client, and the answer is the call's result, as in an agent's run. In the 2025 revisions (stdio, stateful
 * HTTP) the server sends {@code elicitation/create} (form mode, one required string property {@code answer}) while
 * the call waits, for at most {@link Builder#answerTimeout}; over HTTP the call is then answered as an event stream,
 * which carries the request. A declined or cancelled elicitation, no answer in time, a client that did not declare
 * {@code elicitation}, and a stateless HTTP server (which cannot send a request) each give an error result saying
 * so, with the question. In 2026-07-28 the call is answered {@code "resultType": "input_required"} with the
 * elicitation under {@code inputRequests.question} and a {@code requestState}; the client's retry carries the answer
 * in {@code inputResponses} and the state echoed (stateless HTTP too). The state is signed (HMAC-SHA256 under a key
 * drawn at random for this server) over the tool's name, a hash of the arguments, the question and when it was
 * issued: a forged state, one carried into another call, or one older than the answer timeout on {@link
 * Builder#clock} is a {@code -32602} error, and so is a response that is not the elicitation result asked for. A
 * 2026-07-28 task whose tool asks is {@code input_required} with the same {@code inputRequests} in {@code tasks/get}
 * and is answered with {@code tasks/update}; a 2025-11-25 task is {@code input_required} (its session told) while its
 * session's client is sent the {@code elicitation/create} with the related-task {@code _meta} (over HTTP on the
 * session's {@code GET} stream), and ends with the answer. Either task waits at most the answer timeout.
 *
 * <p>Changing tools and prompts while serving: {@link #addTool}, {@link #removeTool}, {@link #addPrompt} and {@link
 * #removePrompt} change what every transport the server serves lists, at once, and tell the clients ({@code
 * notifications/tools/list_changed}, {@code notifications/prompts/list_changed}; in 2026-07-28 on a {@code
 * subscriptions/listen} asking for {@code toolsListChanged} or {@code promptsListChanged}). Everything else of the
 * server (resources, grants, policy) is fixed when it is built.
 *
 * <p>Thread-safe; apart from its tools and prompts, immutable. One server may serve several stream pairs at once. Serving reads
 * and writes on two threads of its own per stream pair, never on the caller's.
 */
public final class McpServer {
    private final ServedTools tools;
    private final String name;
    private final String version;
    private final Principal principal;
    private final Grants grants;
    private final ToolAccess access;
    private final Duration timeout;
    private final Duration drainTimeout;
    private final ServerTelemetry telemetry;
    private final ServerFeatures features;
    private final @Nullable ServedTasks tasks;
    private final ServedQuestions questions;

    private McpServer(Builder b) {
        this.name = b.name;
        this.version = b.version;
        this.principal = b.principal;
        this.grants = b.grants;
        this.access = b.access;
        this.timeout = b.timeout;
        this.drainTimeout = b.drainTimeout;
        this.telemetry = b.telemetry;
        Grants served = b.grants;
        this.features = new ServerFeatures(
                ServedResources.of(b.files, b.memories, b.resourcePageSize, () -> served),
                new ServedPrompts(b.prompts), b.telemetry, b.maxListens, b.maxListenUris);
        this.tools = new ServedTools(b.registry, this::execution, features::toolsChanged);
        this.questions = new ServedQuestions(b.clock, b.answerTimeout);
        McpTaskOptions t = b.tasks;
        this.tasks = t == null
                ? null
                : new ServedTasks(new ServedTasks.Settings(t.taskRequired(), t.maxTasks(), t.maxTtl(), t.pollInterval(),
                        t.clock()));
    }

    /** A server for these tools, granted {@code grants}, with the defaults of {@link Builder}. */
    public static McpServer expose(ToolRegistry registry, Grants grants) {
        return builder(registry).grants(grants).build();
    }

    /** A server for these tools, granted {@code grants}, with the defaults of {@link Builder}. */
    public static McpServer expose(List<? extends Tool> tools, Grants grants) {
        return builder(tools).grants(grants).build();
    }

    public static Builder builder(ToolRegistry registry) {
        return new Builder(registry);
    }

    /** Fails with {@code IllegalArgumentException} for duplicate names or an invalid schema. */
    public static Builder builder(List<? extends Tool> tools) {
        return new Builder(ToolRegistry.of(List.copyOf(tools)));
    }

    /** The tools a client is shown now. */
    public List<ToolSpec> tools() {
        return tools.registry().specs(execution());
    }

    /**
     * Serves {@code tool} from now on, beside the tools the server was built with: on every transport serving now or
     * later, under the same grants, {@link Builder#access access} policy, timeout and telemetry as they are. Clients
     * are told: 2025-era sessions (stdio, stateful HTTP) get {@code notifications/tools/list_changed} (the server
     * declares {@code tools.listChanged}), 2026-07-28 clients get it on the {@code subscriptions/listen}s that asked
     * for {@code toolsListChanged}; a stateless HTTP server, which cannot notify, lists the tool from the next request
     * on. A tool the access policy hides is served (and refused) as the built ones are, and nobody is told.
     *
     * <p>Completes once the change is made and every client has been sent its notification (a client that is gone is
     * skipped); calls made after it completes see the tool. Fails with {@code IllegalArgumentException}, nothing
     * changed, when a tool of that name is served already (remove it first to replace it) or its parameter schema
     * is invalid. Cold: each subscription tries once more. Thread-safe: changes from many threads apply one at a time,
     * in the order they are made, and every transport sees them in that order. Never blocks.
     */
    public Mono<Void> addTool(Tool tool) {
        Objects.requireNonNull(tool, "tool");
        return tools.add(tool);
    }

    /**
     * Stops serving the tool named {@code name} (a tool the server was built with or one {@linkplain #addTool added}):
     * clients are told as for {@link #addTool}, and a call of it made after this completes gets the error any
     * unknown tool gets (JSON-RPC {@code -32602}, {@code "Unknown tool: invalid_tool_name"}, data {@code "Tool not
     * found: <name>"}). Calls of it already running finish and are answered. Emits {@code true} once the tool is
     * removed and every client told, {@code false} when no tool of that name is served (nothing changes, nobody is
     * told). Cold, thread-safe and never blocking like {@link #addTool}.
     */
    public Mono<Boolean> removeTool(String name) {
        Objects.requireNonNull(name, "name");
        return tools.remove(name);
    }

    /**
     * Serves over this process's stdin and stdout until stdin ends (see {@link #serve}). Whatever
     * else the program prints must go to stderr: stdout carries the protocol.
     */
    public Mono<Void> serveStdio() {
        return serve(System.in, System.out);
    }

    /**
     * Serves one client over a pair of streams. When {@code in} ends (the client is done), the calls
     * still running are answered as they finish, for at most {@link Builder#drainTimeout}; calls
     * still running then are cancelled and answered with an error. Completes once all that is
     * written; fails with a {@link dev.agentrt.core.ToolException} if writing to {@code out} fails
     * (the client stopped reading). Cancelling stops serving at once, running calls unanswered (a
     * thread blocked reading {@code in} ends when the stream does). Cold: each subscription serves
     * anew; {@code out} is flushed but not closed.
     */
    public Mono<Void> serve(InputStream in, OutputStream out) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        return McpServerBridge.serve(tools, this::execution, telemetry, features, questions, tasks, name, version, in,
                out,
                drainTimeout);
    }

    /**
     * Tells the clients subscribed to the resource {@code uri} that it changed ({@code notifications/resources/updated}),
     * over every stdio stream pair and stateful HTTP endpoint this server serves now; call it when the application
     * changed a served file or memory entry. {@code uri} is as {@code resources/list} gives it ({@code file://} of
     * the file's real path, {@code memory://<namespace>/<id>}). Clients subscribe with {@code resources/subscribe}
     * (declared as {@code resources.subscribe} when the server serves resources), only to a URI the server serves
     * and is granted; anything else is refused with the {@code -32002} or {@code -32602} a read would get. A
     * stateless HTTP server cannot send notifications: it declares no subscriptions and answers
     * {@code resources/subscribe} with {@code -32601}. A 2026-07-28 client subscribes with {@code
     * subscriptions/listen} instead, over stdio and HTTP (stateless too: the listen's event stream carries its
     * updates), and is told on the listens that honour {@code uri} (see {@link Builder#maxListens}). Sessions and
     * listens not subscribed to {@code uri} are told nothing. Never fails; never blocks.
     */
    public Mono<Void> resourceUpdated(String uri) {
        Objects.requireNonNull(uri, "uri");
        return features.updated(uri);
    }

    /** How many 2026-07-28 {@code subscriptions/listen}s are open now, over all transports (for tests). */
    int openListens() {
        return features.openListens();
    }

    /** Serves over streamable HTTP with {@link McpHttpOptions#defaults()}: 127.0.0.1, a free port. */
    public McpHttpServer serveHttp() {
        return serveHttp(McpHttpOptions.defaults());
    }

    /**
     * Serves over streamable HTTP until the returned server is closed. Every call goes through the
     * same registry, grants, access policy and timeout as over stdio. Binds before returning (the
     * caller's thread waits for that, nothing more); fails with an {@link java.io.UncheckedIOException}
     * if the address cannot be bound. Each server is independent: call this again for another port.
     */
    public McpHttpServer serveHttp(McpHttpOptions options) {
        Objects.requireNonNull(options, "options");
        return new McpHttpServer(
                McpServerBridge.serveHttp(tools, this::execution, telemetry, features, questions, tasks, name, version,
                        settings(options), options.address(), options.port()));
    }

    /**
     * The streamable HTTP endpoint without a server: for mounting these tools on an HTTP server the
     * application already runs (see {@link McpHttpHandler}). Everything of {@code options} applies
     * except {@link McpHttpOptions#address()} and {@link McpHttpOptions#port()}, which are the
     * hosting server's. Serves until {@linkplain McpHttpHandler#close() closed}.
     */
    public McpHttpHandler httpHandler(McpHttpOptions options) {
        Objects.requireNonNull(options, "options");
        return new McpHttpHandler(
                McpServerBridge.httpHandler(tools, this::execution, telemetry, features, questions, tasks, name,
                        version,
                        settings(options)));
    }

    private static StreamableHttpHandler.Settings settings(McpHttpOptions options) {
        McpHttpOptions.BearerTokenValidator tokens = options.bearerTokens();
        return new StreamableHttpHandler.Settings(options.path(), options.allowedOrigins(),
                tokens == null ? null : tokens::isValid, options.resourceMetadata(), options.stateless(),
                options.maxRequestBytes(), options.maxSessions(), options.maxRequestsInFlight(), options.keepAlive());
    }

    /**
     * Serves a prompt from now on, after the others, as {@link Builder#prompt} does, on every transport serving now or
     * later; clients are told as for {@link #addTool} ({@code notifications/prompts/list_changed}, in 2026-07-28 on
     * the listens that asked for {@code promptsListChanged}). Only a server built with at least one prompt takes more:
     * it alone declared the {@code prompts} capability, which clients read once (as the TypeScript SDK's server
     * registers no capability after connecting). Completes once every client has been sent its notification. Fails,
     * nothing changed, with {@code IllegalStateException} for a server built without prompts, {@code
     * IllegalArgumentException} for an empty or duplicate name or duplicate argument names. Cold, thread-safe and never
     * blocking like {@link #addTool}.
     */
    public Mono<Void> addPrompt(String name, @Nullable String description, List<PromptArgument> arguments,
            Function<Map<String, String>, List<Message>> renderer) {
        return Mono.defer(() -> features.addPrompt(served(name, description, arguments, renderer)));
    }

    /**
     * Stops serving the prompt {@code name}: clients are told as for {@link #addPrompt}, and a {@code prompts/get} of
     * it made after this completes gets the {@code -32602} of any unknown prompt; one already rendering finishes.
     * Emits {@code true} once removed and every client told, {@code false} when no prompt of that name is served.
     * Fails with {@code IllegalStateException} for a server built without prompts.
     */
    public Mono<Boolean> removePrompt(String name) {
        Objects.requireNonNull(name, "name");
        return features.removePrompt(name);
    }

    /** A prompt as the server serves it; fails for an empty name or duplicate argument names. */
    private static ServedPrompts.Prompt served(String name, @Nullable String description,
            List<PromptArgument> arguments, Function<Map<String, String>, List<Message>> renderer) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(renderer, "renderer");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a prompt's name must not be empty");
        }
        var names = new HashSet<String>();
        var args = new ArrayList<ServedPrompts.Argument>();
        for (PromptArgument a : arguments) {
            if (!names.add(a.name())) {
                throw new IllegalArgumentException("the prompt " + name + " has two arguments named " + a.name());
            }
            args.add(new ServedPrompts.Argument(a.name(), a.description(), a.required()));
        }
        return new ServedPrompts.Prompt(name, description, List.copyOf(args), renderer);
    }

    private ToolExecution execution() {
        return new ToolExecution("mcp-server-" + name, principal, grants, null, timeout, null, access);
    }

    /** Configures a server. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {
        private final ToolRegistry registry;
        private String name = "agentrt";
        private String version = "1.0.0";
        private Principal principal = Principal.ANONYMOUS;
        private Grants grants = Grants.none();
        private ToolAccess access = ToolAccess.ALL;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private ServerTelemetry telemetry = ServerTelemetry.NONE;
        private final List<McpFileResources> files = new ArrayList<>();
        private final List<ServedResources.Memory> memories = new ArrayList<>();
        private final List<ServedPrompts.Prompt> prompts = new ArrayList<>();
        private int resourcePageSize = 100;
        private @Nullable McpTaskOptions tasks;
        private int maxListens = 100;
        private int maxListenUris = 100;
        private Duration answerTimeout = Duration.ofMinutes(10);
        private Clock clock = Clock.systemUTC();

        private Builder(ToolRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** The server name clients see in the handshake; {@code agentrt} by default. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The server version clients see in the handshake. */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** Who the calls run for (visible to tools and to {@link #access}); anonymous by default. */
        public Builder principal(Principal principal) {
            this.principal = Objects.requireNonNull(principal, "principal");
            return this;
        }

        /** What every call may do; nothing by default, so tools that need a capability are refused. */
        public Builder grants(Grants grants) {
            this.grants = Objects.requireNonNull(grants, "grants");
            return this;
        }

        public Builder grant(Capability... capabilities) {
            this.grants = grants.with(List.of(capabilities));
            return this;
        }

        /** Which tools clients see and may call; all by default. */
        public Builder access(ToolAccess access) {
            this.access = Objects.requireNonNull(access, "access");
            return this;
        }

        /** How long one call may take; 30 s by default. */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * How long a tool's question ({@link dev.agentrt.core.tool.ToolResult#inputRequired}) waits for the client's
         * answer: in the 2025 revisions the {@code elicitation/create} request, after which the call's result is an
         * error saying no answer came; in 2026-07-28 the age of the {@code requestState} the retry must echo, after
         * which the retry is refused ({@code -32602}). 10 minutes by default: a person answers.
         */
        public Builder answerTimeout(Duration answerTimeout) {
            this.answerTimeout = positive(answerTimeout, "answerTimeout");
            return this;
        }

        /** The clock a 2026-07-28 {@code requestState}'s age is measured on; the system's (UTC) by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Once the client has closed the server's input, how long the calls still running may take
         * to finish and be answered before the server cancels them, answers them with an error and
         * stops; 10 s by default.
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = positive(drainTimeout, "drainTimeout");
            return this;
        }

        /**
         * Where the server records each {@code tools/call} it answers (and each {@code prompts/get},
         * {@code resources/read}, {@code resources/list} and {@code prompts/list}, with {@code mcp.resource.uri} for a
         * read and the JSON-RPC code of a refusal): agent-otel's
         * {@code AgentTelemetry.serverTelemetry()} draws a {@code SERVER} span {@code tools/call {tool}} under the
         * trace context the client sent in the request's {@code params._meta}, with the OpenTelemetry MCP
         * conventions' attributes ({@code mcp.method.name}, {@code jsonrpc.request.id}, {@code mcp.session.id},
         * {@code mcp.protocol.version}, {@code network.transport}) and {@code error.type} ({@code tool_error} for
         * an error result), current while the tool starts. Nothing is recorded by default.
         */
        public Builder telemetry(ServerTelemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        /**
         * Serves the regular files below {@code directory} matching {@code globs} ({@code **}, every
         * file, when none are given) as {@code file://} resources, with the default limits of {@link
         * McpFileResources}. Reading needs a {@code file-read} grant covering the file.
         */
        public Builder resources(Path directory, String... globs) {
            return resources(McpFileResources.of(directory, globs));
        }

        /**
         * Serves a directory's files as {@code file://} resources: listed in path order after the
         * resources registered before; read through agent-core's confinement layer (no symbolic link
         * followed; a dangling link counts as outside) when the server's grants allow {@code file-read}
         * of the file. The directory's real path is resolved by {@link #build()}, which fails with an
         * {@link java.io.UncheckedIOException} when it does not exist, an {@code IllegalArgumentException}
         * when it is not a directory.
         */
        public Builder resources(McpFileResources files) {
            this.files.add(Objects.requireNonNull(files, "files"));
            return this;
        }

        /**
         * Serves the entries of one namespace of {@code store}, read-only, as {@code
         * memory://<namespace>/<id>} text resources (namespace and id percent-encoded), listed in id
         * order; every use needs a {@code memory-read} grant for the namespace. The store has no lookup
         * by id, so a list or read goes over at most 10,000 entries of the namespace: a larger one is
         * served by the entries the store returns first. The store stays the caller's to close.
         */
        public Builder memoryResources(VectorStore store, String namespace) {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(namespace, "namespace");
            if (memories.stream().anyMatch(m -> m.namespace().equals(namespace))) {
                throw new IllegalArgumentException("the memory namespace " + namespace + " is served already");
            }
            memories.add(new ServedResources.Memory(store, namespace));
            return this;
        }

        /**
         * Lets clients call the tools as tasks (MCP 2025-11-25 tasks, and the 2026-07-28 tasks extension; see
         * {@link McpTaskOptions}): the server declares the {@code tasks} capability and lists each tool with {@code
         * execution.taskSupport} (in 2026-07-28 it declares the {@code io.modelcontextprotocol/tasks} extension).
         * Off by default: tasks are experimental in MCP and keep results in the server's memory, so a server offers
         * them only when asked to.
         */
        public Builder tasks(McpTaskOptions tasks) {
            this.tasks = Objects.requireNonNull(tasks, "tasks");
            return this;
        }

        /** How many resources one {@code resources/list} answer holds at most; 100 by default. */
        public Builder resourcePageSize(int resourcePageSize) {
            if (resourcePageSize < 1) {
                throw new IllegalArgumentException("resourcePageSize must be positive, was " + resourcePageSize);
            }
            this.resourcePageSize = resourcePageSize;
            return this;
        }

        /**
         * Serves a prompt: {@code prompts/list} shows it (in registration order) and {@code prompts/get}
         * renders it. The renderer gets the arguments the client gave (every required one is there; an
         * argument the prompt does not declare is refused first) and returns the messages: {@link
         * Message.User} messages (with their images and sounds, given as data) and {@link Message.Assistant} text,
         * which are all MCP prompts hold. It runs on
         * {@code AgentSchedulers.blocking()} and may block; an {@code IllegalArgumentException} from it
         * is answered as invalid params ({@code -32602}) with its message, any other failure as an
         * internal error without it.
         *
         * <pre>{@code
         * .prompt("review", "Review a file", List.of(PromptArgument.required("path", "file to review")),
         *         args -> List.of(Message.user("Review " + args.get("path") + " for bugs.")))
         * }</pre>
         *
         * @throws IllegalArgumentException for an empty or duplicate name, or duplicate argument names
         */
        public Builder prompt(String name, @Nullable String description, List<PromptArgument> arguments,
                Function<Map<String, String>, List<Message>> renderer) {
            ServedPrompts.Prompt prompt = served(name, description, arguments, renderer);
            if (prompts.stream().anyMatch(p -> p.name().equals(name))) {
                throw new IllegalArgumentException("a prompt named " + name + " is registered already");
            }
            prompts.add(prompt);
            return this;
        }

        /**
         * The most 2026-07-28 {@code subscriptions/listen}s open at once, over all the server's transports; 100 by
         * default. Another is refused with a JSON-RPC {@code -32603} ("Subscription limit reached").
         */
        public Builder maxListens(int maxListens) {
            if (maxListens <= 0) {
                throw new IllegalArgumentException("maxListens must be positive, was " + maxListens);
            }
            this.maxListens = maxListens;
            return this;
        }

        /**
         * The most resources one {@code subscriptions/listen} may subscribe to; 100 by default. A listen naming
         * more is refused with {@code -32602}.
         */
        public Builder maxListenUris(int maxListenUris) {
            if (maxListenUris <= 0) {
                throw new IllegalArgumentException("maxListenUris must be positive, was " + maxListenUris);
            }
            this.maxListenUris = maxListenUris;
            return this;
        }

        public McpServer build() {
            return new McpServer(this);
        }
    }

    /**
     * An argument of a {@linkplain Builder#prompt prompt}: clients see its name, description and
     * whether it is required, and pass it as a string.
     */
    public record PromptArgument(String name, @Nullable String description, boolean required) {
        public PromptArgument {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a prompt argument's name must not be empty");
            }
        }

        public static PromptArgument required(String name, @Nullable String description) {
            return new PromptArgument(name, description, true);
        }

        public static PromptArgument optional(String name, @Nullable String description) {
            return new PromptArgument(name, description, false);
        }
    }
}
