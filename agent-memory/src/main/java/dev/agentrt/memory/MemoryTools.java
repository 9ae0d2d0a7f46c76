package dev.agentrt.memory;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.core.tool.ToolSource;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The tools {@code remember} and {@code recall}, which let the model write to and search a {@link Memory} itself.
 * {@code remember} needs {@link Capability#memoryWrite(String)} and {@code recall}
 * {@link Capability#memoryRead(String)} for the tools' namespace; without the grant the call is denied and the model
 * told why.
 *
 * <pre>{@code
 * Agent agent = Agent.builder()
 *         .model(model)
 *         .memory(memory)
 *         .tools(MemoryTools.of(memory).namespace("alice"))
 *         .grant(Capability.memoryRead("alice"), Capability.memoryWrite("alice"))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; the tools do no blocking work of their own (the memory schedules its own).
 */
public final class MemoryTools implements ToolSource {
    /** The most hits one {@code recall} call returns. */
    public static final int MAX_RECALL = 20;
    /** The most characters of text one {@code remember} call stores (about 50,000 tokens). */
    public static final int MAX_REMEMBER_CHARS = 200_000;

    private final Memory memory;
    private final String namespace;

    private MemoryTools(Memory memory, String namespace) {
        this.memory = memory;
        this.namespace = namespace;
    }

    /** The tools on {@code memory}'s namespace {@code "default"} (the agent's default namespace). */
    public static MemoryTools of(Memory memory) {
        return new MemoryTools(Objects.requireNonNull(memory, "memory"), "default");
    }

    /** The same tools on another namespace. */
    public MemoryTools namespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.isBlank() || namespace.equals("*")) {
            throw new IllegalArgumentException("namespace must name one namespace, was '" + namespace + "'");
        }
        return new MemoryTools(memory, namespace);
    }

    @Override
    public List<Tool> tools() {
        return List.of(rememberTool(), recallTool());
    }

    private Tool rememberTool() {
        JsonObject schema = (JsonObject) JsonValue
                .parse("""
                        {"type":"object","properties":{
                          "text":{"type":"string","minLength":1,"maxLength":%d,
                                  "description":"What to remember, as a self-contained statement."},
                          "metadata":{"type":"object","additionalProperties":{"type":"string"},
                                  "description":"Optional string attributes to filter on later, e.g. {\\"topic\\":\\"deploys\\"}."}},
                         "required":["text"],"additionalProperties":false}
                        """
                        .formatted(MAX_REMEMBER_CHARS));
        return Tool.builder("remember")
                .description("Store a fact in long-term memory so that later tasks can recall it. Returns its id.")
                .parameters(schema)
                .requires(Capability.memoryWrite(namespace))
                .handler((args, context) -> {
                    String text = args.getString("text").orElse("");
                    if (text.isBlank()) {
                        return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "text must not be blank"));
                    }
                    Map<String, String> metadata = new LinkedHashMap<>();
                    args.getObject("metadata").ifPresent(m -> m.members().forEach((k, v) -> {
                        if (v instanceof JsonValue.JsonString s) {
                            metadata.put(k, s.value());
                        }
                    }));
                    return memory.remember(MemoryRecord.of(namespace, text, metadata))
                            .map(id -> ToolResult.json(JsonObject.builder().put("id", id).build()))
                            .onErrorResume(IllegalArgumentException.class, e -> Mono.just(
                                    ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, e.getMessage())));
                })
                .build();
    }

    private Tool recallTool() {
        JsonObject schema = (JsonObject) JsonValue.parse("""
                {"type":"object","properties":{
                  "query":{"type":"string","minLength":1,"description":"What to look for, in words."},
                  "limit":{"type":"integer","minimum":1,"maximum":%d,"description":"How many results (default 5)."}},
                 "required":["query"],"additionalProperties":false}
                """.formatted(MAX_RECALL));
        return Tool.builder("recall")
                .description("Search long-term memory (remembered facts and indexed files) by meaning. Returns the"
                        + " best matches, each with its source (file path and lines, or memory id) and score.")
                .parameters(schema)
                .requires(Capability.memoryRead(namespace))
                .handler((args, context) -> {
                    String query = args.getString("query").orElse("");
                    int limit = (int) Math.max(1, Math.min(MAX_RECALL, args.getLong("limit").orElse(5L)));
                    return memory.recall(MemoryQuery.of(namespace, query, limit)).map(hits -> {
                        List<Object> out = new ArrayList<>(hits.size());
                        for (Memory.MemoryHit hit : hits) {
                            Map<String, Object> item = new LinkedHashMap<>();
                            MemoryRecord record = hit.record();
                            item.put("source", record.source());
                            item.put("score", Math.round(hit.score() * 1000) / 1000.0);
                            item.put("text", record.text());
                            out.add(item);
                        }
                        return ToolResult.json(JsonValue.of(out));
                    });
                })
                .build();
    }

    @Override
    public String toString() {
        return "MemoryTools[namespace=" + namespace + "]";
    }
}
