package dev.agentrt.core.tool;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Something the model can call. The registry validates arguments against {@link ToolSpec#parameters()},
 * checks {@link #requiredCapabilities} against the task's grants, then calls {@link #invoke} with a
 * timeout. A tool reports failures it can explain as {@link ToolResult#error} or a
 * {@code ToolException}; either way the model reads a message and the task goes on.
 *
 * <pre>{@code
 * Tool weather = Tool.builder("weather")
 *     .description("Current weather for a city")
 *     .parameters(JsonValue.parse("""
 *         {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").asObject())
 *     .requires(args -> List.of(Capability.net("api.weather.example")))
 *     .handler((args, ctx) -> client.fetch(args.getString("city").orElseThrow()).map(ToolResult::text))
 *     .build();
 * }</pre>
 *
 * <p>Implementations are shared by every task and must be thread-safe. {@link #invoke} must not
 * block unless {@link #blocking()} says so, in which case the registry runs it on
 * {@code AgentSchedulers.blocking()}.
 */
public interface Tool extends ToolSource {
    ToolSpec spec();

    /** A tool is a source of itself. */
    @Override
    default List<Tool> tools() {
        return List.of(this);
    }

    /** The capabilities this particular call needs, computed from its (already validated) arguments. */
    default List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of();
    }

    /** Runs the call. Cold: nothing happens before subscription; cancellation must stop the work. */
    Mono<ToolResult> invoke(JsonObject arguments, ToolContext context);

    /** Whether {@link #invoke} blocks the calling thread (file or JDBC I/O, a plain blocking method). */
    default boolean blocking() {
        return false;
    }

    static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link Tool} from functions. Not thread-safe; the built tool is. */
    final class Builder {
        private final String name;
        private String description = "";
        private JsonObject parameters = JsonObject.builder().put("type", "object").build();
        private Function<JsonObject, List<Capability>> requires = args -> List.of();
        private @Nullable BiFunction<JsonObject, ToolContext, Mono<ToolResult>> handler;
        private boolean blocking;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        /** The JSON Schema of the arguments object; defaults to any object. */
        public Builder parameters(JsonObject schema) {
            this.parameters = Objects.requireNonNull(schema, "parameters");
            return this;
        }

        /** Capabilities every call needs. */
        public Builder requires(Capability... capabilities) {
            List<Capability> fixed = List.of(capabilities);
            this.requires = args -> fixed;
            return this;
        }

        /** Capabilities computed from each call's arguments. */
        public Builder requires(Function<JsonObject, List<Capability>> requires) {
            this.requires = Objects.requireNonNull(requires, "requires");
            return this;
        }

        /** A non-blocking handler. */
        public Builder handler(BiFunction<JsonObject, ToolContext, Mono<ToolResult>> handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            this.blocking = false;
            return this;
        }

        /** A plain blocking handler; it will run on {@code AgentSchedulers.blocking()}. */
        public Builder blockingHandler(BiFunction<JsonObject, ToolContext, ToolResult> handler) {
            Objects.requireNonNull(handler, "handler");
            this.handler = (args, ctx) -> Mono.fromCallable(() -> handler.apply(args, ctx));
            this.blocking = true;
            return this;
        }

        public Tool build() {
            if (handler == null) {
                throw new IllegalStateException("tool '" + name + "': handler is not set");
            }
            return new FunctionTool(new ToolSpec(name, description, parameters), requires, handler, blocking);
        }
    }
}
