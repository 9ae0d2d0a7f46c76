package dev.agentrt.tools.mcp;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolSource;
import dev.agentrt.tools.internal.mcp.ElicitationPauses;
import dev.agentrt.tools.internal.mcp.McpClientTool;
import dev.agentrt.tools.internal.mcp.McpConnection;
import dev.agentrt.tools.internal.mcp.McpElicitor;
import dev.agentrt.tools.internal.mcp.McpJson;
import dev.agentrt.tools.internal.mcp.McpPrompts;
import dev.agentrt.tools.internal.mcp.McpResourceTool;
import dev.agentrt.tools.internal.mcp.McpSampler;
import dev.agentrt.tools.internal.mcp.McpSession;
import dev.agentrt.tools.internal.mcp.ServerRequests;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The tools of one MCP server, connected and offered as core {@link Tool}s under the agent's policy.
 * Each call needs {@link #capability(String, String) custom("mcp:&lt;server&gt;", &lt;tool&gt;)}, so an agent
 * calls nothing on the server it was not granted; grant {@link #capability(String)} for every tool.
 *
 * <pre>{@code
 * try (McpTools fs = McpTools.builder("fs", McpTransportSpec.stdio("node", serverJs, docs.toString()))
 *         .allowTools("read_text_file", "list_directory")
 *         .connect().block()) {
 *     Agent agent = Agent.builder().model(model).tools(fs.tools())
 *         .grant(McpTools.capability("fs")).build();
 *     ...
 * }
 * }</pre>
 *
 * <p>A call to a tool becomes a {@code tools/call} request with the builder's call timeout. An
 * {@code isError} result, a JSON-RPC error, a timeout or a server that died come back as error
 * results the model reads ({@code EXECUTION_FAILED} or {@code TIMEOUT}); nothing throws into the
 * agent loop. A server that dies or breaks the connection fails the calls it had not answered as
 * soon as that shows, not when they time out: a stdio server that exits or closes its stdout; over
 * HTTP, a response stream that breaks or ends before the answer (resumed first when the server's
 * events carry ids, as the spec provides). Over stdio, lines that are not JSON-RPC (a banner a server
 * prints) are skipped and quoted in later errors. Over HTTP in revisions up to 2025-11-25, what the
 * server sends outside of a request (list changes, resource updates, its own requests) comes on the
 * GET stream opened after initialization; it is reopened after a break (with {@code Last-Event-ID}),
 * given up after five reconnects in a row that bring nothing, and not asked for of a server that
 * answers 405.
 *
 * <p>A tool the server says must run as a task ({@code execution.taskSupport: "required"}, MCP 2025-11-25) is called
 * as one: the call creates the task, its status is asked at the server's poll interval until it ends, and its
 * result is the call's, all within the call timeout; a call that times out or is cancelled cancels the task
 * ({@code tasks/cancel}). A status MCP does not have, or an answer that is not a task, is an error result saying
 * what the server sent. In 2026-07-28, where tasks are an extension ({@code io.modelcontextprotocol/tasks}), the
 * client declares it in every request, and any {@code tools/call} the server answers with a task is followed the
 * same way ({@code tasks/get}), its progress saying so; a task that asks for input ({@code input_required}) has its
 * input requests answered as a request's own are (the {@link Builder#elicitation elicitation} handler, {@link
 * Builder#sampling sampling}, {@link Builder#roots roots}) and sent with {@code tasks/update}, at most 10 rounds of at
 * most 16 requests, each input answered once; input the client did not declare, or too much of it, fails the call
 * saying why and cancels the task.
 *
 * <p>A stdio server that dies is started again by the next call (with backoff when that fails; see
 * {@link Builder#reconnect}), so an agent's calls resume after a crash; an HTTP session the server
 * forgot is renewed. The server's tools are pinned at connect (name, description, input and output schemas): when
 * a later listing differs, {@link Builder#onToolsChanged} is told, and calls to a changed or removed
 * tool are refused (see {@link Builder#acceptToolChanges}).
 *
 * <p>When the server declares the {@code resources} capability, two more tools are offered:
 * {@code read_resource} (argument {@code uri}; the text cut at 99,000 characters, which the result
 * says; binary contents described by MIME type and size) and {@code list_resources} (resources and
 * resource templates, cursors followed up to 200 of each; a cut is said). They are named like the
 * server's tools ({@link Builder#prefixNames}); a tool of the server's with the same name wins. Each
 * call needs {@code capability(server, "resources/read")} or {@code capability(server,
 * "resources/list")}, which {@link #capability(String)} covers. A tool result's embedded text
 * resources reach the model with their URI and MIME type, binary ones described, and a resource
 * link's URI is one {@code read_resource} reads. The server's prompts are the application's, not
 * the model's: {@link #prompts()} lists them and {@link #prompt(String, Map)} gets one as messages.
 * {@link #changes()} tells when the server's resources or prompts change, and updates of resources the application
 * subscribed to ({@link #subscribeResource}).
 * <p>The client declares {@link Builder#roots roots}, {@link Builder#sampling sampling} (the server asks the
 * application's model, each request approved first and within a token budget) and
 * {@link Builder#elicitation elicitation} (the server asks the user, the answer checked against its schema) only
 * when the builder was given them. With {@link Builder#elicitationPausesRun} a server's question to the user
 * pauses a durable run (the agent's run store) instead, until {@code agent.answer}.
 *
 * <p>A server behind OAuth is reached with {@link McpTransportSpec.Http#oauth(McpOAuth)}: its {@code 401}
 * starts the MCP authorization flow (see {@link McpOAuth}). An authorization that fails fails the connect, or
 * later the call, with an error result saying why (the user refused, say); the next call tries again.
 *
 * <p>Thread-safe. Nothing blocks except {@link #close()}, which waits (at most a few seconds) for
 * the session to end and a stdio server's process, and every process it started, to be gone: asked
 * to stop first, killed if it does not.
 */
public final class McpTools implements AutoCloseable, ToolSource {
    private static final Logger log = LoggerFactory.getLogger(McpTools.class);
    private static final Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern NOT_A_NAME_CHAR = Pattern.compile("[^A-Za-z0-9_-]");
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(15);

    /** The longest server instructions given to the model; longer ones are cut, and the cut is said. */
    static final int MAX_INSTRUCTIONS = 16_000;

    /**
     * The longest text {@code read_resource} gives the model; longer contents are cut, and the cut is
     * said, in a result within the registry's own limit.
     */
    static final int MAX_RESOURCE_CHARS = ToolRegistry.MAX_RESULT_CHARS - 1_000;

    /** The most resource subscriptions by default. */
    static final int DEFAULT_MAX_SUBSCRIPTIONS = 100;

    /** The largest message taken from a server by default (see {@link Builder#maxMessageBytes}): 16 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    /** The name of the tool that reads a resource (before prefixing), also its name in {@link Builder#allowTools}. */
    static final String READ_RESOURCE = "read_resource";
    /** The name of the tool that lists resources (before prefixing), also its name in {@link Builder#allowTools}. */
    static final String LIST_RESOURCES = "list_resources";

    private final String server;
    private final List<Tool> tools;
    private final String serverInstructions;
    private final McpSession session;
    private final McpPrompts prompts;

    private McpTools(String server, List<Tool> tools, String serverInstructions, McpSession session,
            McpPrompts prompts) {
        this.server = server;
        this.tools = List.copyOf(tools);
        this.serverInstructions = serverInstructions;
        this.session = session;
        this.prompts = prompts;
    }

    /**
     * What a new listing of a server's tools changed about the tools pinned at connect (names as on
     * the server): a listing after the server was started again, or after it said its list changed.
     *
     * @param changed pinned tools whose description or schemas differ from the pinned ones
     * @param removed pinned tools the server no longer lists
     * @param added tools the server lists now that it did not before (not offered: an agent's tools
     *     are fixed when it is built)
     */
    public record ToolsChange(String server, Set<String> changed, Set<String> removed, Set<String> added) {
        public ToolsChange {
            Objects.requireNonNull(server, "server");
            changed = Set.copyOf(changed);
            removed = Set.copyOf(removed);
            added = Set.copyOf(added);
        }
    }

    /** Starts configuring a connection to the server called {@code server} (letters, digits, {@code _}, {@code -}). */
    public static Builder builder(String server, McpTransportSpec transport) {
        return new Builder(server, transport);
    }

    /** Connects with every tool of the server and the default timeouts. */
    public static Mono<McpTools> connect(String server, McpTransportSpec transport) {
        return builder(server, transport).connect();
    }

    /** The grant that lets an agent call every tool of {@code server}. */
    public static Capability capability(String server) {
        return Capability.custom(capabilityName(server));
    }

    /** The grant (and the request) for one tool, by its name on the server. */
    public static Capability capability(String server, String mcpTool) {
        return Capability.custom(capabilityName(server), Objects.requireNonNull(mcpTool, "mcpTool"));
    }

    private static String capabilityName(String server) {
        return "mcp:" + Objects.requireNonNull(server, "server");
    }

    /** The server's name, as given to the builder. */
    public String server() {
        return server;
    }

    /** The server's tools that the allow list lets through, as core tools; fixed at connect time. */
    @Override
    public List<Tool> tools() {
        return tools;
    }

    /** The {@code instructions} the server sent when the session started, as sent; "" when it sent none. */
    public String serverInstructions() {
        return serverInstructions;
    }

    /**
     * The server's instructions as the model gets them (an agent built with these tools adds them as a
     * system message): introduced as coming from this MCP server, cut at 16,000 characters; "" when the
     * server sent none or none of its tools passed the allow list. They are the server's words, not
     * the application's: connect only to servers you trust to instruct your model.
     */
    @Override
    public String instructions() {
        if (serverInstructions.isBlank() || tools.isEmpty()) {
            return "";
        }
        String text = serverInstructions.strip();
        if (text.length() > MAX_INSTRUCTIONS) {
            text = text.substring(0, MAX_INSTRUCTIONS) + "\n[... cut: the server's instructions are "
                    + serverInstructions.length() + " characters long]";
        }
        return "The MCP server '" + server + "' gives these instructions for its tools:\n\n" + text;
    }

    /** The grant for every tool of this server. */
    public Capability capability() {
        return capability(server);
    }

    /**
     * The server's prompts, every page of its listing (up to 1,000); none when it does not declare
     * the prompts capability. Prompts are for the application: no grant is asked. Fails with a
     * {@link ToolException} naming the server and the cause when it fails, dies or does not answer
     * within the call timeout.
     */
    public Mono<List<McpPrompt>> prompts() {
        return prompts.list();
    }

    /**
     * The messages of the server's prompt {@code name} with {@code arguments} filled in, as core
     * messages: the server's user messages as {@link Message.User}, its assistant messages as
     * {@link Message.Assistant}; content other than text is described as in a tool result (an
     * embedded text resource with its URI and MIME type, binary content by type and size). The name
     * and arguments are checked against the listing first: an unknown prompt, a missing required
     * argument or an argument the prompt does not declare fails with an
     * {@link IllegalArgumentException} saying which (a server without prompts has no prompt of any
     * name); a server that fails, answers with an error, dies or does not answer within the call
     * timeout, with a {@link ToolException}.
     *
     * <pre>{@code
     * List<Message> messages = everything.prompt("args-prompt", Map.of("city", "Paris")).block();
     * }</pre>
     */
    public Mono<List<Message>> prompt(String name, Map<String, String> arguments) {
        Objects.requireNonNull(name, "name");
        Map<String, String> copy = Map.copyOf(arguments);
        return prompts.get(name, copy);
    }

    /**
     * What the server says changed, from now on: its resources or prompts (listed again after its
     * {@code notifications/resources/list_changed} or {@code notifications/prompts/list_changed}, when it declared
     * {@code listChanged}), and the resources subscribed to with {@link #subscribeResource}. Hot: a subscriber hears
     * what happens after it subscribed; what it has not requested when a change comes is dropped for it, never
     * queued. However many list changes a server sends, the client lists again at most once while a listing is in
     * flight, so a burst gives at most two listings and two changes. Told on a transport thread: a subscriber must
     * not block. Completes when the session is closed. The server's tools are not told here (they are pinned at
     * connect; see {@link Builder#onToolsChanged}). On a 2026-07-28 connection all of these come through the one
     * {@code subscriptions/listen} the connection keeps open (opened again, with backoff, when it ends).
     */
    public Flux<McpChange> changes() {
        return session.notices().changes();
    }

    /**
     * Subscribes to the server's resource {@code uri} ({@code resources/subscribe}; on a 2026-07-28 connection, the
     * connection's {@code subscriptions/listen} opened anew with it, done once the server acknowledged it, a
     * refusal failing as below): {@link #changes()} then tells
     * each {@link McpChange.ResourceUpdated} the server sends for it, until {@link #unsubscribeResource}. The
     * subscription is the application's: no grant is asked, and a server started again after it died is
     * subscribed again. Empty when already subscribed. Fails with an {@link IllegalStateException} when the server
     * does not declare {@code resources.subscribe} or {@link Builder#maxResourceSubscriptions} subscriptions are
     * held, and with a {@link ToolException} naming the server and its answer when it refuses (an unknown URI,
     * say), dies or does not answer within the call timeout; the URI is then not subscribed.
     */
    public Mono<Void> subscribeResource(String uri) {
        Objects.requireNonNull(uri, "uri");
        return session.notices().subscribe(uri);
    }

    /**
     * Ends the subscription to {@code uri} ({@code resources/unsubscribe}): its updates are dropped from now on.
     * Empty when it was not subscribed. Fails with a {@link ToolException} when the server refuses or does not
     * answer in time; the subscription has ended here either way.
     */
    public Mono<Void> unsubscribeResource(String uri) {
        Objects.requireNonNull(uri, "uri");
        return session.notices().unsubscribe(uri);
    }

    /** The resource URIs subscribed to now, in the order they were subscribed. */
    public List<String> resourceSubscriptions() {
        return session.notices().subscriptions();
    }

    /**
     * The MCP protocol revision the connection in use negotiated: {@code "2026-07-28"} when the server offered it
     * in {@code server/discover}, else the revision its {@code initialize} answer named (such as
     * {@code "2025-11-25"}). Each connection negotiates again, so after a server restart this may change.
     */
    public String protocolVersion() {
        String version = session.current().protocolVersion();
        return version == null ? "" : version;
    }

    /** The process id of a stdio server, while it runs; empty for HTTP. */
    public OptionalLong pid() {
        Process p = session.current().processHandle();
        return p == null || !p.isAlive() ? OptionalLong.empty() : OptionalLong.of(p.pid());
    }

    /**
     * Whether the connection in use is up: false once a stdio server has died or broken the
     * protocol, until a call starts it again (or for good after {@link #close()}).
     */
    public boolean isConnected() {
        return session.isConnected();
    }

    /**
     * Ends the session; completes once a stdio server's process has exited (killed if it would not
     * stop). Calls still running end with an error result. Idempotent.
     */
    public Mono<Void> closeAsync() {
        return session.close();
    }

    /** {@link #closeAsync()}, waiting for it: for programs, tests and try-with-resources. */
    @Override
    public void close() {
        session.close().block(CLOSE_WAIT);
    }

    @Override
    public String toString() {
        return "McpTools[" + server + ", " + session.current().description() + ", " + tools.size() + " tools]";
    }

    /** Configures a connection. Not thread-safe; {@link #connect()} may be called more than once. */
    public static final class Builder {
        private final String server;
        private final McpTransportSpec transport;
        private @Nullable Set<String> allowed;
        private boolean prefixNames;
        private Duration callTimeout = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private boolean reconnect = true;
        private Duration firstBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(60);
        private boolean acceptToolChanges;
        private Consumer<ToolsChange> onToolsChanged = change -> {};
        private LongSupplier clockMillis = () -> System.nanoTime() / 1_000_000;
        private List<Path> roots = List.of();
        private @Nullable ChatModel samplingModel;
        private @Nullable McpSamplingOptions samplingOptions;
        private @Nullable McpElicitationHandler elicitation;
        private boolean elicitationPausesRun;
        private int maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private @Nullable Scheduler timers;

        private Builder(String server, McpTransportSpec transport) {
            this.server = Objects.requireNonNull(server, "server");
            this.transport = Objects.requireNonNull(transport, "transport");
            if (!SERVER_NAME.matcher(server).matches()) {
                throw new IllegalArgumentException(
                        "server name must be 1-32 letters, digits, '_' or '-': '" + server + "'");
            }
        }

        /**
         * Offer only these tools (names as the server gives them); by default every tool is offered.
         * The resource tools, when the server has resources, are named here {@code read_resource} and
         * {@code list_resources}: with an allow list they are offered only if it names them.
         */
        public Builder allowTools(String... names) {
            return allowTools(List.of(names));
        }

        public Builder allowTools(Collection<String> names) {
            this.allowed = Set.copyOf(new LinkedHashSet<>(names));
            return this;
        }

        /** Name the tools {@code <server>_<tool>}, so two servers' tools cannot clash. Off by default. */
        public Builder prefixNames(boolean prefix) {
            this.prefixNames = prefix;
            return this;
        }

        /** How long one tool call may take; 60 s by default. The registry's own timeout applies too. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "callTimeout");
            return this;
        }

        /** How long starting, initialising and listing the tools may take; 30 s by default. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Whether a stdio server that died (crashed, exited, broke the protocol) is started again by
         * the next call: on by default. The calls it had not answered fail (they may or may not have
         * run); the next call starts the server, initialises it and lists its tools again. When that
         * fails, calls fail at once until the backoff has passed (see {@link #reconnectBackoff}).
         * Over HTTP, a session the server forgot is renewed by the transport whatever this says.
         */
        public Builder reconnect(boolean reconnect) {
            this.reconnect = reconnect;
            return this;
        }

        /**
         * The wait after a failed attempt to start a server again before the next may be made:
         * {@code first}, doubling with each failure up to {@code max}; 1 s and 60 s by default.
         */
        public Builder reconnectBackoff(Duration first, Duration max) {
            this.firstBackoff = positive(first, "first");
            this.maxBackoff = positive(max, "max");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("max must not be shorter than first");
            }
            return this;
        }

        /**
         * Whether a tool whose description or schemas changed after connect (the server's tool
         * list is pinned at connect; a new listing comes after a restart or the server's
         * {@code tools/list_changed}) may still be called. Off by default: calls to a changed tool
         * are refused with an error the model reads, since a server that rewrites a tool's
         * description can rewrite what the model is told. A removed tool is refused either way.
         */
        public Builder acceptToolChanges(boolean accept) {
            this.acceptToolChanges = accept;
            return this;
        }

        /** Told of every change to the server's tools after connect (on a transport thread; must not block). */
        public Builder onToolsChanged(Consumer<ToolsChange> listener) {
            this.onToolsChanged = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Directories the server may work in, declared as the client's MCP roots ({@code file://} URIs,
         * named by their last element): typically the directories the agent was granted. None by
         * default, and then the roots capability is not declared. Roots tell a server where to look;
         * they grant nothing, and the agent's grants still decide each call.
         */
        public Builder roots(Path... directories) {
            var list = new ArrayList<Path>(directories.length);
            for (Path d : directories) {
                list.add(Objects.requireNonNull(d, "directory").toAbsolutePath().normalize());
            }
            this.roots = List.copyOf(list);
            return this;
        }

        /**
         * Lets the server ask the application's {@code model} for completions ({@code sampling/createMessage}),
         * and declares the sampling capability; not declared by default. Each request is mapped to a
         * {@link dev.agentrt.core.model.ChatRequest}: the server's {@code systemPrompt} as a system message, its
         * text messages (an image or audio message is refused with an error: agentrt's messages carry text
         * only), {@code maxTokens} capped by {@link McpSamplingOptions#maxTokens()}, {@code temperature},
         * {@code stopSequences}; no tools. {@code includeContext} adds nothing. {@code modelPreferences} pick
         * nothing: their hints reach the approver ({@link McpSamplingRequest#modelHints()}), and this one model
         * answers. The reply goes back as the assistant's text, with the model's name (the provider's, else
         * {@link dev.agentrt.core.model.HostedChatModel#modelName()}, else the model's class name) and the stop
         * reason ({@code endTurn}, {@code stopSequence}, {@code maxTokens}; none for others).
         *
         * <p>Before the model is called the request must fit the token budget and the
         * {@link McpSamplingOptions#approver() approver} must approve it. Otherwise the server gets a JSON-RPC
         * error (code -1, as the protocol's example of a refusal) saying the client refused and why; a failed
         * model call is an internal error naming the model's failure. The budget counts what replies used (the
         * input and output tokens the model reports, or the request's {@code maxTokens} when it reports none);
         * each request holds its {@code maxTokens} from its check until its reply, so requests in flight cannot
         * together pass the budget by more than their input tokens. Nothing blocks; a request still being
         * answered when the connection ends is dropped (the model call cancelled).
         */
        public Builder sampling(ChatModel model, McpSamplingOptions options) {
            this.samplingModel = Objects.requireNonNull(model, "model");
            this.samplingOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Lets the server ask the user for information ({@code elicitation/create}, form mode), answered by
         * {@code handler}, and declares the elicitation capability; not declared by default. The requested schema
         * must be an object schema agentrt can check (else the server gets an error and the handler is not asked), and
         * accepted content is checked against it before it is sent: content that does not match is not sent, the
         * server gets an error naming where it is wrong (not the content). See {@link McpElicitationHandler}.
         */
        public Builder elicitation(McpElicitationHandler handler) {
            this.elicitation = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Whether a server's elicitation pauses the durable run of the tool call it belongs to instead of going to
         * the {@link #elicitation handler}; false by default. Needs the handler, which still answers where a run
         * cannot pause ({@code ToolContext.canAwaitInput()} false: no run store, a sub-agent's run, a call outside an
         * agent) and whatever cannot be tied to a call for sure. When it pauses, the call's result is the question
         * ({@code ToolResult.inputRequired(InputRequest)}): {@code agent.pending} shows the server's message and
         * requested schema, {@code agent.answer} takes JSON content matching the schema, and {@code agent.resume}
         * calls the tool again with the content accepted.
         *
         * <p>Where it pauses:
         * <ul>
         * <li>2026-07-28: an {@code input_required} round of {@code tools/call} with exactly one form-mode
         * elicitation. The round's sampling and roots requests are answered in process, kept in the run's journal,
         * and sent again with the answer and the round's {@code requestState}: nothing is asked twice.
         * <li>2025 revisions over HTTP: an {@code elicitation/create} the server sends on the call's own response
         * stream (as the SDKs do for a request made while serving a call). The server is answered {@code cancel}
         * and the call's result becomes the question, whatever the server answered; the re-run answers the
         * server's next elicitation with the user's content when it asks the same (message and schema), and pauses
         * again otherwise. A server that acts on the cancel (or on the call) before asking again does so twice.
         * </ul>
         * The handler answers everything else: the 2025 revisions over stdio (nothing ties a server's request to
         * the call it serves there), elicitations on an HTTP server's other streams, a round with several
         * elicitations, and elicitations of a call that runs as a task.
         */
        public Builder elicitationPausesRun(boolean pause) {
            this.elicitationPausesRun = pause;
            return this;
        }

        /**
         * The most resources the application may be subscribed to at once ({@link #subscribeResource}); 100 by
         * default. Each subscription is a URI the server may send updates for.
         */
        public Builder maxResourceSubscriptions(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxResourceSubscriptions must be at least 1, was " + max);
            }
            this.maxSubscriptions = max;
            return this;
        }

        /**
         * The largest message taken from the server, in bytes: a stdio line, an SSE event's data, a JSON answer;
         * {@value McpTools#DEFAULT_MAX_MESSAGE_BYTES} (16 MiB) by default. A larger one is never held: past the
         * limit it is only scanned for its {@code id}. The call it answers fails saying so (over HTTP, as soon as the
         * message shows to be that answer, and its stream is closed); a server's request gets an error; a
         * notification is skipped; the connection and the stream it came on stay usable.
         */
        public Builder maxMessageBytes(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxMessageBytes must be at least 1, was " + max);
            }
            this.maxMessageBytes = max;
            return this;
        }

        /** The scheduler of the connection's own waits (stream reconnects, listen retries, task polls, call timeouts) (tests). */
        Builder timers(Scheduler scheduler) {
            this.timers = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** The clock of the reconnect backoff, in milliseconds (tests). */
        Builder clock(LongSupplier millis) {
            this.clockMillis = Objects.requireNonNull(millis, "millis");
            return this;
        }

        /**
         * Starts the server (stdio) or opens the session (HTTP), initialises it and lists its tools.
         * Cold: each subscription makes a new connection. Fails with a {@link ToolException} naming the
         * server and the cause (and the last lines of a stdio server's stderr) if the server cannot be
         * started, dies, does not answer within the connect timeout, or speaks something other than
         * MCP; whatever was started is then stopped. Cancelling stops it too.
         */
        public Mono<McpTools> connect() {
            String name = server;
            McpTransportSpec spec = transport;
            @Nullable
            Set<String> allow = allowed;
            boolean prefix = prefixNames;
            Duration call = callTimeout;
            Duration connect = connectTimeout;
            Consumer<ToolsChange> listener = onToolsChanged;
            var settings = new McpSession.Settings(name, spec, call, connect, reconnect, firstBackoff, maxBackoff,
                    acceptToolChanges,
                    c -> listener.accept(new ToolsChange(name, c.changed(), c.removed(), c.added())), clockMillis,
                    rootsOf(roots), ServerRequests.NONE, maxSubscriptions, maxMessageBytes,
                    timers != null ? timers : Schedulers.parallel());
            @Nullable
            ChatModel model = samplingModel;
            @Nullable
            McpSamplingOptions sampling = samplingOptions;
            @Nullable
            McpElicitationHandler elicit = elicitation;
            ElicitationPauses pauses = elicitationPausesRun ? new ElicitationPauses() : null;
            if (pauses != null && elicit == null) {
                return Mono.error(new IllegalStateException("elicitationPausesRun needs an elicitation handler "
                        + "(elicitation(handler)), which answers where a run cannot pause"));
            }
            return Mono.defer(() -> {
                // A sampler per connect: its token budget is this McpTools' own, across reconnects.
                var requests = new ServerRequests(
                        model == null || sampling == null ? null : new McpSampler(name, model, sampling)::answer,
                        elicit == null ? null : new McpElicitor(name, elicit, pauses)::answer);
                McpSession session = McpSession.open(settings.withRequests(requests));
                McpConnection connection = session.current();
                return session.initialize()
                        .timeout(connect)
                        .map(init -> new McpTools(name, withResources(name,
                                wrap(name, init.tools(), allow, prefix, session, call, pauses), connection, allow,
                                prefix,
                                session, call), init.instructions(), session, new McpPrompts(name, session, call)))
                        .onErrorResume(e -> session.close()
                                .then(Mono.error(connectFailed(name, connection, e, connect))))
                        .doOnCancel(() -> session.close().subscribe());
            });
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }

    private static List<McpSchema.Root> rootsOf(List<Path> directories) {
        var out = new ArrayList<McpSchema.Root>(directories.size());
        for (Path d : directories) {
            Path name = d.getFileName();
            out.add(new McpSchema.Root(d.toUri().toString(), name == null ? d.toString() : name.toString()));
        }
        return out;
    }

    private static List<Tool> wrap(String server, List<McpSchema.Tool> listed, @Nullable Set<String> allowed,
            boolean prefix, McpSession session, Duration timeout, @Nullable ElicitationPauses pausesRun) {
        var tools = new ArrayList<Tool>();
        var names = new HashSet<String>();
        var seen = new HashSet<String>();
        for (McpSchema.Tool t : listed) {
            seen.add(t.name());
            if (allowed != null && !allowed.contains(t.name())) {
                continue;
            }
            String name = toolName(server, t.name(), prefix);
            if (!names.add(name)) {
                log.warn("MCP server '{}': tool '{}' is skipped, its name '{}' is taken", server, t.name(), name);
                continue;
            }
            var spec = new ToolSpec(name, description(server, t), schema(server, t), outputSchema(server, t));
            tools.add(new McpClientTool(spec, t.name(), server, capability(server, t.name()), session, timeout,
                    pausesRun));
        }
        if (allowed != null) {
            for (String a : allowed) {
                if (!seen.contains(a) && !a.equals(READ_RESOURCE) && !a.equals(LIST_RESOURCES)) {
                    log.warn("MCP server '{}' has no tool '{}' (named in allowTools)", server, a);
                }
            }
        }
        return tools;
    }

    /**
     * The server's tools, and the resource tools when the server declares resources (and the allow
     * list, if any, names them) and their names are free.
     */
    private static List<Tool> withResources(String server, List<Tool> serverTools, McpConnection connection,
            @Nullable Set<String> allowed, boolean prefix, McpSession session, Duration timeout) {
        McpSchema.ServerCapabilities declared = connection.client().getServerCapabilities();
        if (declared == null || declared.resources() == null) {
            return serverTools;
        }
        var tools = new ArrayList<>(serverTools);
        var taken = new HashSet<String>();
        serverTools.forEach(t -> taken.add(t.spec().name()));
        String read = toolName(server, READ_RESOURCE, prefix);
        boolean offerRead = allowed == null || allowed.contains(READ_RESOURCE);
        if (offerRead && taken.contains(read)) {
            log.warn("MCP server '{}': the resource tool '{}' is not offered, a tool of the server has its name",
                    server, read);
            offerRead = false;
        }
        if (offerRead) {
            tools.add(McpResourceTool.read(read, server, capability(server, McpResourceTool.READ_SCOPE), session,
                    timeout, MAX_RESOURCE_CHARS));
        }
        String list = toolName(server, LIST_RESOURCES, prefix);
        if (allowed == null || allowed.contains(LIST_RESOURCES)) {
            if (taken.contains(list)) {
                log.warn("MCP server '{}': the resource tool '{}' is not offered, a tool of the server has its name",
                        server, list);
            } else {
                tools.add(McpResourceTool.list(list, server, capability(server, McpResourceTool.LIST_SCOPE), session,
                        timeout, offerRead ? read : null));
            }
        }
        return tools;
    }

    private static String toolName(String server, String mcpName, boolean prefix) {
        String name = NOT_A_NAME_CHAR.matcher(prefix ? server + "_" + mcpName : mcpName).replaceAll("_");
        if (name.isEmpty()) {
            name = server + "_tool";
        }
        return name.length() <= 64 ? name : name.substring(0, 64);
    }

    private static String description(String server, McpSchema.Tool t) {
        if (t.description() != null && !t.description().isBlank()) {
            return t.description();
        }
        if (t.title() != null && !t.title().isBlank()) {
            return t.title();
        }
        return "Tool \"" + t.name() + "\" of the MCP server '" + server + "'.";
    }

    /** The MCP input schema as ours; a schema our validator cannot compile becomes "any object" (the server validates). */
    private static JsonObject schema(String server, McpSchema.Tool t) {
        JsonObject any = JsonObject.builder().put("type", "object").build();
        if (t.inputSchema() == null) {
            return any;
        }
        JsonValue converted = McpJson.fromJava(t.inputSchema());
        if (!(converted instanceof JsonObject schema)) {
            return any;
        }
        if (!schema.has("type")) {
            schema = JsonObject.builder().put("type", "object").putAll(schema).build();
        }
        try {
            JsonSchema.compile(schema);
            return schema;
        } catch (IllegalArgumentException e) {
            log.warn("MCP server '{}': the input schema of tool '{}' is not supported ({}); arguments are passed "
                    + "unchecked", server, t.name(), e.getMessage());
            return any;
        }
    }

    /**
     * The tool's output schema as ours, or null when it declares none; one our validator cannot compile is dropped
     * (its results are then passed on unchecked), as MCP requires it to describe an object.
     */
    private static @Nullable JsonObject outputSchema(String server, McpSchema.Tool t) {
        if (t.outputSchema() == null) {
            return null;
        }
        if (!(McpJson.fromJava(t.outputSchema()) instanceof JsonObject schema)) {
            log.warn("MCP server '{}': the output schema of tool '{}' is not a JSON object; its results are passed "
                    + "unchecked", server, t.name());
            return null;
        }
        try {
            JsonSchema.compile(schema);
            return schema;
        } catch (IllegalArgumentException e) {
            log.warn("MCP server '{}': the output schema of tool '{}' is not supported ({}); its results are passed "
                    + "unchecked", server, t.name(), e.getMessage());
            return null;
        }
    }

    private static ToolException connectFailed(String server, McpConnection connection, Throwable error,
            Duration timeout) {
        Throwable e = Exceptions.unwrap(error);
        boolean timedOut = false;
        // Ours or the SDK's own initialization timeout (which it wraps): either way the handshake was too slow.
        for (Throwable t = e; t != null && !timedOut; t = t.getCause() == t ? null : t.getCause()) {
            timedOut = t instanceof TimeoutException;
        }
        String why;
        if (timedOut) {
            why = "it did not complete the MCP handshake within " + timeout.toMillis() + " ms";
        } else {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        }
        String stderr = connection.stderrSummary();
        String message = "could not connect to MCP server '" + server + "' (" + connection.description() + "): " + why
                + (why.contains(stderr) ? "" : stderr);
        return new ToolException(message, e);
    }
}
