package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;

/**
 * How a served tool's question ({@link ToolResult#inputRequired}) reaches the MCP client, whose answer becomes the
 * call's result, as it does in an agent's run.
 *
 * <p>In the 2025 revisions the server asks with {@code elicitation/create} (form mode, one required string property
 * {@value #PROPERTY}) while the call waits, for at most {@link #timeout()}; a client that did not declare {@code
 * elicitation} is not asked, and the call's result is an error saying the question could not be asked. In
 * 2026-07-28, which has no server-to-client requests, the call is answered {@code input_required} with the
 * elicitation embedded under {@value #INPUT} and a {@code requestState}; the client's retry carries the answer in
 * {@code inputResponses} and the state echoed. The state names the tool, a hash of the arguments, the question and
 * when it was issued, signed with HMAC-SHA256 under a key drawn at random for this server: a client cannot forge one,
 * carry one into a call of another tool or other arguments, or use one older than {@link #timeout()} on {@link
 * #clock}; each of those is a {@code -32602} error. Thread-safe.
 */
public final class ServedQuestions {
    /** The property of the requested schema that holds the answer. */
    static final String PROPERTY = "answer";
    /** The key of the embedded input request in a 2026-07-28 {@code input_required} result. */
    static final String INPUT = "question";
    /** Where a call's handler leaves the {@code input_required} payload for {@link ModernRevision#shape}. */
    static final String PENDING = "dev.agentrt/inputRequired";
    /** Where a task's run leaves the question its tool asked, for {@link ServedTasks}. */
    static final String ASKED = "dev.agentrt/question";
    private static final String MAC = "HmacSHA256";

    private final SecretKeySpec key;
    private final Clock clock;
    private final Duration timeout;

    /**
     * @param clock the time a 2026-07-28 {@code requestState} is issued and checked at
     * @param timeout how long a question waits for its answer (2025), and how old a {@code requestState} may be
     */
    public ServedQuestions(Clock clock, Duration timeout) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, MAC);
    }

    Duration timeout() {
        return timeout;
    }

    /** The elicitation asking {@code question}: a form with one required string, the answer. */
    static McpSchema.ElicitFormRequest form(String question) {
        return McpSchema.ElicitFormRequest.builder(question, schema()).build();
    }

    /** The same, with {@code meta} (a task's related-task metadata) in its {@code _meta}. */
    static McpSchema.ElicitFormRequest form(String question, Map<String, Object> meta) {
        return McpSchema.ElicitFormRequest.builder(question, schema()).meta(meta).build();
    }

    private static Map<String, Object> schema() {
        return Map.of("type", "object", "properties", Map.of(PROPERTY, Map.of("type", "string", "title", "Answer",
                "description", "Your answer to the question")), "required", List.of(PROPERTY));
    }

    /**
     * The 2025 way: asks the client of {@code exchange} and gives the call's result (the answer, or an error result
     * saying why there is none). Never fails.
     */
    Mono<ToolResult> ask(McpAsyncServerExchange exchange, String tool, String question) {
        McpSchema.ClientCapabilities capabilities = exchange.getClientCapabilities();
        if (capabilities == null || capabilities.elicitation() == null) {
            return Mono.just(notAsked(tool, question, "the client did not declare the elicitation capability"));
        }
        return exchange.createElicitation(form(question))
                .timeout(timeout)
                .map(result -> answer(tool, question, result.action(), result.content()))
                .onErrorResume(TimeoutException.class, e -> Mono.just(ToolResult.error(ToolErrorKind.TIMEOUT,
                        "The tool " + tool + " asked the user a question and no answer came within " + timeout
                                + ". The question was: " + question)))
                .onErrorResume(e -> !(e instanceof Error), e -> Mono.just(notAsked(tool, question,
                        "asking the client failed: " + e.getMessage())));
    }

    /** The result of a call whose question could not be asked, saying why and what it was. */
    static ToolResult notAsked(String tool, String question, String why) {
        return ToolResult.error(ToolErrorKind.INPUT_REQUIRED, "The tool " + tool + " needs the user's answer to a "
                + "question, which could not be asked (" + why + "). The question was: " + question);
    }

    /** The result an elicitation's answer makes; a form other than the one asked for is an error result. */
    private static ToolResult answer(String tool, String question, McpSchema.ElicitResult.@Nullable Action action,
            @Nullable Map<String, Object> content) {
        if (action == McpSchema.ElicitResult.Action.ACCEPT) {
            if (content != null && content.get(PROPERTY) instanceof String text) {
                return ToolResult.text(text);
            }
            return ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "The tool " + tool + " asked the user a "
                    + "question, and the client's answer was not the string \"" + PROPERTY + "\" asked for. The "
                    + "question was: " + question);
        }
        return declined(tool, question);
    }

    private static ToolResult declined(String tool, String question) {
        return ToolResult.error(ToolErrorKind.PERMISSION_DENIED, "The user declined to answer the question of the "
                + "tool " + tool + ": " + question);
    }

    /**
     * The 2026-07-28 way: the {@code inputRequests} and {@code requestState} of the {@code input_required} answer to
     * the call of {@code tool} with {@code arguments} asking {@code question}.
     */
    Map<String, Object> inputRequired(String tool, @Nullable Map<String, Object> arguments, String question) {
        var payload = new LinkedHashMap<String, Object>();
        payload.put("inputRequests", inputRequests(question));
        payload.put("requestState", state(tool, arguments, question));
        return payload;
    }

    private String state(String tool, @Nullable Map<String, Object> arguments, String question) {
        String claims = JsonObject.builder()
                .put("tool", tool)
                .put("arguments", hash(arguments))
                .put("question", question)
                .put("issued", clock.millis())
                .build()
                .toJson();
        var b64 = Base64.getUrlEncoder().withoutPadding();
        byte[] bytes = claims.getBytes(StandardCharsets.UTF_8);
        return b64.encodeToString(bytes) + "." + b64.encodeToString(mac(bytes));
    }

    /**
     * The result of a retried call of {@code tool}: its {@code requestState} checked, the answer taken from its
     * {@code inputResponses}. Throws a {@link ServedTasks.Refusal} ({@code -32602}) for a state this server did not
     * issue for this call, one too old, or responses without the answer.
     */
    ToolResult answered(String tool, @Nullable Map<String, Object> arguments, @Nullable Object requestState,
            @Nullable Object inputResponses) {
        if (!(requestState instanceof String state)) {
            throw invalid("a retried tools/call carries the \"requestState\" string the server gave with its "
                    + "input_required result");
        }
        JsonObject claims = verified(state);
        if (!claims.getString("tool").orElse("").equals(tool)
                || !claims.getString("arguments").orElse("").equals(hash(arguments))) {
            throw invalid("the requestState was issued for another call (another tool or other arguments)");
        }
        Instant issued = Instant.ofEpochMilli(claims.getLong("issued").orElse(0L));
        Instant now = clock.instant();
        if (issued.isAfter(now) || issued.plus(timeout).isBefore(now)) {
            throw invalid("the requestState has expired (it is valid for " + timeout + "); call the tool again");
        }
        String question = claims.getString("question").orElse("");
        if (!(inputResponses instanceof Map<?, ?> responses)) {
            throw invalid("a retried tools/call carries \"inputResponses\", an object of responses by input key");
        }
        return response(tool, question, responses.get(INPUT));
    }

    /**
     * The result the client's {@code response} to the elicitation asking {@code question} (the one {@link
     * #inputRequired} embeds under {@value #INPUT}) makes. Throws a {@link ServedTasks.Refusal} ({@code -32602}) for
     * a response that is not an elicitation result, or an accepted one without the string asked for.
     */
    ToolResult response(String tool, String question, @Nullable Object response) {
        if (!(response instanceof Map<?, ?> result) || !(result.get("action") instanceof String a)) {
            throw invalid("inputResponses has no elicitation result (an object with an \"action\") under \"" + INPUT
                    + "\"");
        }
        McpSchema.ElicitResult.Action action = switch (a) {
            case "accept" -> McpSchema.ElicitResult.Action.ACCEPT;
            case "decline" -> McpSchema.ElicitResult.Action.DECLINE;
            case "cancel" -> McpSchema.ElicitResult.Action.CANCEL;
            default -> throw invalid("the elicitation result's action is \"" + a + "\", not accept, decline or "
                    + "cancel");
        };
        if (action == McpSchema.ElicitResult.Action.ACCEPT && !(result.get("content") instanceof Map<?, ?> c
                && c.get(PROPERTY) instanceof String)) {
            throw invalid("the accepted elicitation result's content has no string \"" + PROPERTY + "\"");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> content = result.get("content") instanceof Map<?, ?> c ? (Map<String, Object>) c : null;
        return answer(tool, question, action, content);
    }

    /** The {@code inputRequests} of a 2026-07-28 task waiting on the answer to {@code question}. */
    static Map<String, Object> inputRequests(String question) {
        var params = new LinkedHashMap<String, Object>();
        params.put("mode", "form");
        params.put("message", question);
        params.put("requestedSchema", schema());
        return Map.of(INPUT, Map.of("method", McpSchema.METHOD_ELICITATION_CREATE, "params", params));
    }

    private JsonObject verified(String state) {
        int dot = state.indexOf('.');
        if (dot < 0) {
            throw invalid("the requestState is not one this server issued");
        }
        byte[] claims;
        byte[] signature;
        try {
            claims = Base64.getUrlDecoder().decode(state.substring(0, dot));
            signature = Base64.getUrlDecoder().decode(state.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw invalid("the requestState is not one this server issued");
        }
        if (!MessageDigest.isEqual(mac(claims), signature)) {
            throw invalid("the requestState is not one this server issued");
        }
        return (JsonObject) JsonValue.parse(new String(claims, StandardCharsets.UTF_8));
    }

    private byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** SHA-256 of the arguments in a canonical form (object keys sorted), so that key order does not matter. */
    private static String hash(@Nullable Map<String, Object> arguments) {
        String canonical = canonical(McpJson.fromJava(arguments == null ? Map.of() : arguments)).toJson();
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256")
                            .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static JsonValue canonical(JsonValue value) {
        return switch (value) {
            case JsonObject o -> {
                var sorted = new TreeMap<String, JsonValue>();
                o.members().forEach((k, v) -> sorted.put(k, canonical(v)));
                var b = JsonObject.builder();
                sorted.forEach(b::put);
                yield b.build();
            }
            case JsonArray a -> new JsonArray(a.items().stream().map(ServedQuestions::canonical).toList());
            default -> value;
        };
    }

    private static ServedTasks.Refusal invalid(String why) {
        return new ServedTasks.Refusal(ErrorCodes.INVALID_PARAMS, "Invalid params: " + why);
    }
}
