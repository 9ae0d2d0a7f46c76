package dev.agentrt.core.run;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/** The JSON form of capabilities, principals and approval decisions. */
final class SecurityJson {
    private SecurityJson() {}

    static JsonObject toJsonValue(Capability capability) {
        return switch (capability) {
            case Capability.FileRead c -> Out.tagged("file_read").path("path", c.path()).build();
            case Capability.FileWrite c -> Out.tagged("file_write").path("path", c.path()).build();
            case Capability.Net c -> Out.tagged("net")
                    .string("hostPattern", c.hostPattern())
                    .integer("port", c.port())
                    .optional("privateAddresses", c.privateAddresses() ? Boolean.TRUE : null,
                            b -> JsonValue.of(b.booleanValue()))
                    .build();
            case Capability.Env c -> Out.tagged("env").string("name", c.name()).build();
            case Capability.MemoryRead c -> Out.tagged("memory_read").string("namespace", c.namespace()).build();
            case Capability.MemoryWrite c -> Out.tagged("memory_write").string("namespace", c.namespace()).build();
            case Capability.Custom c -> Out.tagged("custom")
                    .string("name", c.name())
                    .string("scope", c.scope())
                    .build();
        };
    }

    static Capability capability(JsonValue json, String path) {
        In in = In.tagged(json, path, "capability");
        return in.create(() -> switch (in.type()) {
            case "file_read" -> new Capability.FileRead(in.path("path"));
            case "file_write" -> new Capability.FileWrite(in.path("path"));
            case "net" -> new Capability.Net(in.string("hostPattern"), in.int32("port"),
                    in.optionalBool("privateAddresses"));
            case "env" -> new Capability.Env(in.string("name"));
            case "memory_read" -> new Capability.MemoryRead(in.string("namespace"));
            case "memory_write" -> new Capability.MemoryWrite(in.string("namespace"));
            case "custom" -> new Capability.Custom(in.string("name"), in.string("scope"));
            default -> throw in.unknownType();
        });
    }

    static JsonObject principal(Principal principal) {
        var attributes = JsonObject.builder();
        new TreeMap<>(principal.attributes()).forEach((k, v) -> attributes.put(k, v));
        return Out.record("principal")
                .string("id", principal.id())
                .list("roles", List.copyOf(new TreeSet<>(principal.roles())), JsonValue::of)
                .object("attributes", attributes.build(), Function.identity())
                .build();
    }

    static Principal principal(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> {
            String id = in.string("id");
            var roles = new LinkedHashSet<>(in.list("roles", Json::string));
            In attributesIn = in.object("attributes", In::record);
            var attributes = new LinkedHashMap<String, String>();
            attributesIn.object.members().keySet().forEach(name -> attributes.put(name, attributesIn.string(name)));
            return new Principal(id, roles, attributes);
        });
    }

    static JsonObject decision(Decision decision) {
        return Out.record("decision").name("kind", decision.kind()).string("reason", decision.reason()).build();
    }

    static Decision decision(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new Decision(in.enumValue("kind", Decision.Kind.class), in.string("reason")));
    }
}
