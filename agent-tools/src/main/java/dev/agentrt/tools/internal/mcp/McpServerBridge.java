package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Serves a registry's tools with the SDK's server over a pair of streams, through our {@link
 * StdioServerTransport}. Every {@code tools/call}
 * goes through {@link ToolRegistry#execute} under a fresh {@link ToolExecution} from the policy, so the
 * capability checks, schema validation and timeout of an agent's own calls apply unchanged. The tools are
 * {@link ServedTools}, which may change while serving: each SDK server follows them (its list mirrored through
 * the SDK's {@code addTool}/{@code removeTool}), and each call runs through the registry current when it starts.
 * Resources and prompts are {@link ServerFeatures}, which the transports ask before the SDK's server.
 */
public final class McpServerBridge {
    private static final Logger log = LoggerFactory.getLogger(McpServerBridge.class);
    private static final TypeRef<Map<String, Object>> RESULT = new TypeRef<>() {};

    private McpServerBridge() {}

    /**
     * Serves until {@code in} ends and the calls still running are answered (for at most {@code
     * drainTimeout}), or the subscription is cancelled.
     */
    public static Mono<Void> serve(ServedTools tools, Supplier<ToolExecution> policy, ServerTelemetry telemetry,
            ServerFeatures features, ServedQuestions questions, @Nullable ServedTasks tasks,
            String name, String version, InputStream in, OutputStream out, Duration drainTimeout) {
        return Mono.defer(() -> {
            var transport = new StdioServerTransport(name, in, out, McpJson.mapper(), drainTimeout);
            var calls = new Calls(tools, policy, telemetry, questions);
            ServedTasks.Endpoint served = tasks == null
                    ? null
                    : tasks.endpoint(() -> tools(tools, policy), calls::call,
                            (session, method, params) -> transport.notifyClients(method, params),
                            (session, request) -> transport.elicit(request), calls::answer, questions.timeout());
            transport.ownRequests(calls.retries(served == null
                    ? features
                    : new ModernTasks(served, tasks.settings().required()).before(served.before(features))));
            if (served != null) {
                transport.initializeResult(tasks::declare);
            }
            transport.modern(new ModernRevision.Server(name, version, features.capabilities(true),
                    served == null ? Map.of() : ModernTasks.declared()));
            transport.listens(features.listens().scope(name));
            List<ToolSpec> shown = tools.registry().specs(policy.get());
            McpAsyncServer server = McpServer.async(transport)
                    .serverInfo(name, version)
                    .requestTimeout(questions.timeout())
                    .capabilities(features.capabilities(true))
                    .validateToolInputs(false)
                    .tools(shown.stream().map(calls::specification).toList())
                    .build();
            log.debug("MCP server '{}' serving {} tools", name, shown.size());
            var serving = Disposables.composite(features.serving(server), tools.follow(ServedTools.mirror(shown,
                    spec -> server.addTool(calls.specification(spec)), server::removeTool)));
            Disposable endTasks = served == null ? Disposables.disposed() : served;
            // Before the end is signalled: a caller that exits once serving ends still sees its tasks cancelled.
            return transport.serve()
                    .doOnTerminate(endTasks::dispose)
                    .doOnCancel(endTasks::dispose)
                    .doFinally(s -> serving.dispose())
                    .doFinally(s -> server.closeGracefully()
                            .onErrorResume(e -> Mono.empty())
                            .subscribe());
        });
    }

    /**
     * The streamable HTTP endpoint, without a server to host it: the SDK's streamable server (a
     * session per client) or, with {@link StreamableHttpHandler.Settings#stateless()}, its stateless
     * one, bound to a {@link StreamableHttpHandler} that serves until closed.
     */
    public static StreamableHttpHandler httpHandler(ServedTools tools, Supplier<ToolExecution> policy,
            ServerTelemetry telemetry, ServerFeatures features, ServedQuestions questions,
            @Nullable ServedTasks tasks, String name, String version, StreamableHttpHandler.Settings settings) {
        var handler = new StreamableHttpHandler(name, settings, McpJson.mapper());
        var calls = new Calls(tools, policy, telemetry, questions);
        // A stateless server has no session to own a 2025-11-25 task, which outlives the request that made it: those
        // are not served. The 2026-07-28 tasks belong to the endpoint (ModernTasks), so either mode serves them.
        ServedTasks.Endpoint served = tasks == null
                ? null
                : tasks.endpoint(() -> tools(tools, policy), calls::call,
                        (session, method, params) -> session == null || settings.stateless()
                                ? Mono.empty()
                                : handler.streamable().notifyClient(session, method, params),
                        (session, request) -> session == null || settings.stateless()
                                ? null
                                : handler.elicit(session, request),
                        calls::answer, questions.timeout());
        OwnRequests own = settings.stateless()
                ? features.stateless()
                : served == null ? features : served.before(features);
        handler.ownRequests(calls.retries(served == null
                ? own
                : new ModernTasks(served, tasks.settings().required()).before(own)));
        if (served != null && !settings.stateless()) {
            handler.initializeResult(tasks::declare);
            handler.onSessionEnd(served::end);
        }
        var capabilities = features.capabilities(!settings.stateless());
        // The 2026-07-28 revision subscribes on subscriptions/listen, whose stream is its channel: stateless too.
        handler.modern(new ModernRevision.Server(name, version, features.capabilities(true),
                served == null ? Map.of() : ModernTasks.declared()));
        handler.listens(features.listens().scope(name));
        List<ToolSpec> shown = tools.registry().specs(policy.get());
        if (settings.stateless()) {
            var server = McpServer.async(handler.stateless())
                    .serverInfo(name, version)
                    .capabilities(capabilities)
                    .validateToolInputs(false)
                    .tools(shown.stream().map(calls::statelessSpecification).toList())
                    .build();
            Disposable following = tools.follow(ServedTools.mirror(shown,
                    spec -> server.addTool(calls.statelessSpecification(spec)), server::removeTool));
            handler.onClose(served == null ? following : Disposables.composite(following, served));
        } else {
            var server = McpServer.async(handler.streamable())
                    .serverInfo(name, version)
                    .requestTimeout(questions.timeout())
                    .capabilities(capabilities)
                    .validateToolInputs(false)
                    .tools(shown.stream().map(calls::specification).toList())
                    .build();
            Disposable serving = Disposables.composite(features.serving(server), tools.follow(ServedTools.mirror(
                    shown, spec -> server.addTool(calls.specification(spec)), server::removeTool)));
            handler.onClose(served == null ? serving : Disposables.composite(serving, served));
        }
        log.debug("MCP server '{}' serving {} tools over HTTP at {}", name, shown.size(), settings.path());
        return handler;
    }

    /**
     * {@link #httpHandler} on the JDK's HTTP server, listening on {@code address} and {@code port}
     * until the returned transport is closed. Binds before returning; fails with an {@link
     * java.io.UncheckedIOException} if it cannot.
     */
    public static HttpServerTransport serveHttp(ServedTools tools, Supplier<ToolExecution> policy,
            ServerTelemetry telemetry, ServerFeatures features, ServedQuestions questions,
            @Nullable ServedTasks tasks, String name, String version, StreamableHttpHandler.Settings settings,
            InetAddress address, int port) {
        var transport = new HttpServerTransport(httpHandler(tools, policy, telemetry, features, questions, tasks,
                name, version, settings),
                address, port);
        transport.start();
        log.debug("MCP server '{}' listening at {}", name, transport.url());
        return transport;
    }

    /** The tools as the SDK's server lists them. */
    private static List<McpSchema.Tool> tools(ServedTools tools, Supplier<ToolExecution> policy) {
        return tools.registry().specs(policy.get()).stream().map(McpServerBridge::describe).toList();
    }

    private static McpSchema.Tool describe(ToolSpec spec) {
        var tool = McpSchema.Tool.builder(spec.name(), McpJson.toMap(spec.parameters()))
                .description(spec.description());
        if (spec.outputSchema() != null) {
            tool.outputSchema(McpJson.toMap(spec.outputSchema()));
        }
        return tool.build();
    }

    /**
     * The one place a client's {@code tools/call} becomes a registry call under the server's policy, recorded by
     * the server's telemetry under the trace context the request's {@code params._meta} carried.
     */
    private record Calls(ServedTools tools, Supplier<ToolExecution> policy, ServerTelemetry telemetry,
            ServedQuestions questions, AtomicLong count) {
        Calls(ServedTools tools, Supplier<ToolExecution> policy, ServerTelemetry telemetry,
                ServedQuestions questions) {
            this(tools, policy, telemetry, questions, new AtomicLong());
        }

        /**
         * The tool as the SDK's server serves it, its calls made here. A tool's question is asked of the client
         * ({@link ServedQuestions#ask}) in the 2025 revisions, and answered {@code input_required} in 2026-07-28.
         */
        McpServerFeatures.AsyncToolSpecification specification(ToolSpec spec) {
            return McpServerFeatures.AsyncToolSpecification.builder()
                    .tool(describe(spec))
                    .callHandler((exchange, request) -> run(spec.name(), request.arguments(), request.meta(),
                            ProgressRelay.of(request.meta(), exchange::progressNotification)).flatMap(ran -> {
                                if (!ran.result().isInputRequired()) {
                                    return Mono.just(toResult(ran.registry(), spec.name(), ran.result()));
                                }
                                String question = ran.result().content();
                                if (modern(request.meta())) {
                                    return Mono.just(pending(spec.name(), request.arguments(), question));
                                }
                                return questions.ask(exchange, spec.name(), question)
                                        .map(answer -> toResult(ran.registry(), spec.name(), answer));
                            }))
                    .build();
        }

        /** The same for the SDK's stateless server, which can ask only in 2026-07-28 (no request to the client). */
        McpStatelessServerFeatures.AsyncToolSpecification statelessSpecification(ToolSpec spec) {
            return McpStatelessServerFeatures.AsyncToolSpecification.builder()
                    .tool(describe(spec))
                    // No exchange here: a stateless server cannot send progress, so a progressToken goes unused.
                    .callHandler((context, request) -> run(spec.name(), request.arguments(), request.meta(), null)
                            .map(ran -> {
                                if (!ran.result().isInputRequired()) {
                                    return toResult(ran.registry(), spec.name(), ran.result());
                                }
                                String question = ran.result().content();
                                return modern(request.meta())
                                        ? pending(spec.name(), request.arguments(), question)
                                        : toResult(ran.registry(), spec.name(), ServedQuestions.notAsked(spec.name(),
                                                question, "a stateless HTTP server cannot send its client a "
                                                        + "request"));
                            }))
                    .build();
        }

        /**
         * A call as a task runs it ({@code progress}: where the tool's progress reports go, {@code null} if the client
         * asked for none). A tool's question makes an error result saying it could not be asked, carrying the
         * question in {@code _meta} ({@link ServedQuestions#ASKED}) for {@link ServedTasks}, which asks it when it
         * can.
         */
        Mono<McpSchema.CallToolResult> call(String tool, @Nullable Map<String, Object> arguments,
                @Nullable Map<String, Object> meta, @Nullable ProgressRelay progress) {
            return run(tool, arguments, meta, progress).map(ran -> {
                if (!ran.result().isInputRequired()) {
                    return toResult(ran.registry(), tool, ran.result());
                }
                String question = ran.result().content();
                McpSchema.CallToolResult notAsked = toResult(ran.registry(), tool, ServedQuestions.notAsked(tool,
                        question, "the client did not declare the elicitation capability"));
                return McpSchema.CallToolResult.builder(notAsked.content())
                        .isError(true)
                        .meta(Map.of(ServedQuestions.ASKED, question))
                        .build();
            });
        }

        /** The result of a task whose tool asked {@code question}, from the client's {@code response}. */
        McpSchema.CallToolResult answer(String tool, String question, @Nullable Object response) {
            return toResult(tools.registry(), tool, questions.response(tool, question, response));
        }

        /**
         * Answers, ahead of {@code next}, the retry of a 2026-07-28 {@code tools/call} answered {@code
         * input_required}: the call's result is the client's answer ({@link ServedQuestions#answered}); the tool
         * does not run again.
         */
        OwnRequests retries(OwnRequests next) {
            return request -> {
                Map<?, ?> params = request.params() instanceof Map<?, ?> m ? m : Map.of();
                if (!request.method().equals(McpSchema.METHOD_TOOLS_CALL) || !ModernRevision.claims(params)
                        || !(params.containsKey("requestState") || params.containsKey("inputResponses"))
                        || !(params.get("name") instanceof String tool)) {
                    return next.answer(request);
                }
                ToolRegistry registry = tools.registry();
                if (registry.find(tool).isEmpty()) {
                    return next.answer(request); // the SDK's server answers an unknown tool as it always does
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> arguments = params.get("arguments") instanceof Map<?, ?> a
                        ? (Map<String, Object>) a
                        : null;
                return Mono.fromCallable(() -> toResult(registry, tool, questions.answered(tool, arguments,
                        params.get("requestState"), params.get("inputResponses"))))
                        .map(result -> new McpSchema.JSONRPCResponse("2.0", request.id(),
                                McpJson.mapper().convertValue(result, RESULT), null))
                        .onErrorResume(ServedTasks.Refusal.class, r -> Mono.just(new McpSchema.JSONRPCResponse("2.0",
                                request.id(), null, new McpSchema.JSONRPCResponse.JSONRPCError(r.code, r.getMessage(),
                                        null))));
            };
        }

        private static boolean modern(@Nullable Map<String, Object> meta) {
            return meta != null && ModernRevision.claims(Map.of("_meta", meta));
        }

        /** A 2026-07-28 call's {@code input_required} answer, as {@link ModernRevision#shape} will give it. */
        private McpSchema.CallToolResult pending(String tool, @Nullable Map<String, Object> arguments,
                String question) {
            return McpSchema.CallToolResult.builder(List.of(McpSchema.TextContent.builder(question).build()))
                    .meta(Map.of(ServedQuestions.PENDING, questions.inputRequired(tool, arguments, question)))
                    .build();
        }

        /** The tool's result with the registry it ran through (whose output schema shapes the MCP result). */
        private record Ran(ToolRegistry registry, ToolResult result) {}

        private Mono<Ran> run(String tool, @Nullable Map<String, Object> arguments,
                @Nullable Map<String, Object> meta, @Nullable ProgressRelay progress) {
            String id = "mcp-" + count.incrementAndGet();
            ToolRegistry registry = tools.registry();
            if (registry.find(tool).isEmpty()) {
                // Removed while the call was on its way: answered as the SDK's server answers a tool it lacks.
                return Mono.error(McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS)
                        .message("Unknown tool: invalid_tool_name")
                        .data("Tool not found: " + tool)
                        .build());
            }
            ToolExecution execution = policy.get();
            Mono<ToolResult> result = progress == null
                    ? execute(registry, id, tool, arguments, meta, execution)
                    : progress.around(execute(registry, id, tool, arguments, meta,
                            execution.toBuilder().events(progress.events(id, execution.events())).build()));
            return result.map(r -> new Ran(registry, r.inputRequest() == null ? r : rerunRefused(tool, r)));
        }

        /**
         * A question after whose answer the tool must run again ({@code ToolResult.inputRequired(InputRequest)}):
         * the server does not run a client's call again, so the answer cannot reach the tool, and giving the client's
         * answer as the result (what a plain question's answer is) would tell its model the work was done. The
         * client's model gets an error result with the question instead.
         */
        private static ToolResult rerunRefused(String tool, ToolResult question) {
            return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "The tool " + tool + " needs the user's answer "
                    + "to a question and must then run again with it, which this MCP server does not do for its "
                    + "clients. The question was: " + question.content());
        }

        private Mono<ToolResult> execute(ToolRegistry registry, String id, String tool,
                @Nullable Map<String, Object> arguments, @Nullable Map<String, Object> meta, ToolExecution execution) {
            Map<String, Object> args = arguments == null ? Map.of() : arguments;
            var call = new ToolCall(id, tool, McpJson.fromJava(args).toJson());
            if (telemetry == ServerTelemetry.NONE) {
                return registry.execute(call, execution);
            }
            return Mono.deferContextual(context -> {
                ServedRequest served = context.getOrDefault(ServedRequest.class, null);
                ServerTelemetry.Call record = telemetry.start("tools/call", tool, ServedRequest.carrier(meta),
                        served == null ? Map.of() : served.attributes());
                return registry.execute(call, execution.toBuilder().servedCall(record).build())
                        .doOnNext(r -> record.end(r.isError() ? "tool_error" : null, r.isError() ? r.content() : null))
                        .doOnError(e -> record.end(e.getClass().getName(), e.getMessage()))
                        .doOnCancel(() -> record.end("cancelled", "the client cancelled the request"));
            });
        }

        /**
         * The tool's result as MCP has it: its text, then its images and sounds (an image known only by its URL as
         * a line of text naming it); a tool with an output schema also gives its result as {@code structuredContent}
         * (the text is that object as JSON, which MCP asks servers to send as well).
         */
        private static McpSchema.CallToolResult toResult(ToolRegistry registry, String tool, ToolResult r) {
            var content = new ArrayList<McpSchema.Content>();
            content.add(McpSchema.TextContent.builder(r.content()).build());
            for (Media m : r.media()) {
                content.add(switch (m) {
                    case Media.Image i when i.base64() != null -> McpSchema.ImageContent.builder(i.base64(),
                            i.mimeType()).build();
                    case Media.Image i -> McpSchema.TextContent.builder("[image " + i.mimeType() + " at " + i.url()
                            + "]").build();
                    case Media.Audio a -> McpSchema.AudioContent.builder(a.base64(), a.mimeType()).build();
                });
            }
            JsonObject schema = r.isError()
                    ? null
                    : registry.find(tool).map(t -> t.spec().outputSchema()).orElse(null);
            if (schema == null) {
                return McpSchema.CallToolResult.builder(content).isError(r.isError()).build();
            }
            JsonObject structured;
            try {
                structured = JsonValue.parse(r.content()) instanceof JsonObject o ? o : null;
            } catch (RuntimeException e) {
                structured = null;
            }
            if (structured == null) {
                // The tool broke its own promise (a method declared to return a record returned null): an error
                // result, which needs no structured content, rather than one the client would refuse.
                return McpSchema.CallToolResult.builder(List.of(McpSchema.TextContent.builder("Tool \"" + tool
                        + "\" returned no JSON object, which its output schema promises: " + clip(r.content()))
                        .build())).isError(true).build();
            }
            return McpSchema.CallToolResult.builder(content)
                    .structuredContent(McpJson.toMap(structured))
                    .isError(false)
                    .build();
        }

        private static String clip(String text) {
            return text.length() <= 200 ? text : text.substring(0, 200) + "…";
        }
    }
}
