package dev.agentrt.core.tool;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.internal.binding.BindingException;
import dev.agentrt.core.internal.binding.TypeBinding;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.TypeSchema;
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
 * <p>With a record of parameters, the schema is generated from the record and the handler receives
 * the arguments bound to it (see {@link Builder#parameters(Class)}):
 *
 * <pre>{@code
 * record Query(@JsonPropertyDescription("City name") String city, Optional<Unit> unit) {}
 *
 * Tool weather = Tool.builder("weather")
 *     .description("Current weather for a city")
 *     .parameters(Query.class)
 *     .handler((query, ctx) -> client.fetch(query.city(), query.unit().orElse(Unit.CELSIUS)).map(ToolResult::text))
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

    /**
     * Whether running this call twice has the same effect as running it once (a read, a lookup, a write of the same
     * content). A durable run that was interrupted while the call ran resumes by running it again only if so;
     * otherwise the model is told the call may or may not have taken effect. False unless the tool says so.
     */
    default boolean idempotent() {
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
        private boolean idempotent;

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

        /**
         * The arguments as a record (or a class with properties) of {@code type}: the schema is
         * {@code TypeSchema.of(type, Mode.LENIENT)} (an {@code Optional} or {@code @Nullable} component
         * may be left out), and each call's arguments are validated against it and bound to a
         * {@code type} before the handler of the returned builder runs. Arguments that do not bind
         * give the model an {@link ToolErrorKind#INVALID_ARGUMENTS} result saying why; the handler is
         * then not called. The description and the capabilities set so far are kept.
         *
         * @throws IllegalArgumentException if {@code type} cannot be described as a JSON object
         * @throws IllegalStateException if a handler of JSON arguments was set already
         */
        public <R> TypedBuilder<R> parameters(Class<R> type) {
            Objects.requireNonNull(type, "type");
            if (handler != null) {
                throw new IllegalStateException("tool '" + name + "': call parameters(" + type.getSimpleName()
                        + ".class) before the handler, which then takes the bound arguments");
            }
            TypeBinding binding;
            try {
                binding = TypeBinding.of(type, TypeSchema.Mode.LENIENT);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tool '" + name + "': cannot describe its parameters: "
                        + e.getMessage(), e);
            }
            return new TypedBuilder<>(name, description, type, binding, requires, idempotent);
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

        /** Marks the tool {@linkplain Tool#idempotent() idempotent}: safe to run again after an interruption. */
        public Builder idempotent(boolean idempotent) {
            this.idempotent = idempotent;
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
            return new FunctionTool(new ToolSpec(name, description, parameters), requires, handler, blocking,
                    idempotent);
        }
    }

    /**
     * Builds a {@link Tool} whose handler takes its arguments bound to a record {@code R}; made by
     * {@link Builder#parameters(Class)}. Not thread-safe; the built tool is.
     *
     * @param <R> the type of the arguments
     */
    final class TypedBuilder<R> {
        private final String name;
        private String description;
        private final Class<R> type;
        private final TypeBinding binding;
        private Function<JsonObject, List<Capability>> requires;
        private @Nullable BiFunction<JsonObject, ToolContext, Mono<ToolResult>> handler;
        private boolean blocking;
        private boolean idempotent;

        private TypedBuilder(String name, String description, Class<R> type, TypeBinding binding,
                Function<JsonObject, List<Capability>> requires, boolean idempotent) {
            this.idempotent = idempotent;
            this.name = name;
            this.description = description;
            this.type = type;
            this.binding = binding;
            this.requires = requires;
        }

        public TypedBuilder<R> description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        /** Capabilities every call needs. */
        public TypedBuilder<R> requires(Capability... capabilities) {
            List<Capability> fixed = List.of(capabilities);
            this.requires = args -> fixed;
            return this;
        }

        /**
         * Capabilities computed from each call's bound arguments. Arguments that do not bind fail the
         * call with an {@link ToolErrorKind#INVALID_ARGUMENTS} result.
         */
        public TypedBuilder<R> requires(Function<? super R, List<Capability>> requires) {
            Objects.requireNonNull(requires, "requires");
            this.requires = args -> requires.apply(bindForCapabilities(args));
            return this;
        }

        /** Marks the tool {@linkplain Tool#idempotent() idempotent}: safe to run again after an interruption. */
        public TypedBuilder<R> idempotent(boolean idempotent) {
            this.idempotent = idempotent;
            return this;
        }

        /** A non-blocking handler of the bound arguments. */
        public TypedBuilder<R> handler(BiFunction<? super R, ToolContext, Mono<ToolResult>> handler) {
            Objects.requireNonNull(handler, "handler");
            this.handler = (args, ctx) -> Mono.defer(() -> {
                R value;
                try {
                    value = bind(args);
                } catch (BindingException e) {
                    return Mono.just(invalid(e));
                }
                return handler.apply(value, ctx);
            });
            this.blocking = false;
            return this;
        }

        /** A plain blocking handler of the bound arguments; it will run on {@code AgentSchedulers.blocking()}. */
        public TypedBuilder<R> blockingHandler(BiFunction<? super R, ToolContext, ToolResult> handler) {
            Objects.requireNonNull(handler, "handler");
            this.handler = (args, ctx) -> Mono.fromCallable(() -> {
                R value;
                try {
                    value = bind(args);
                } catch (BindingException e) {
                    return invalid(e);
                }
                return handler.apply(value, ctx);
            });
            this.blocking = true;
            return this;
        }

        public Tool build() {
            if (handler == null) {
                throw new IllegalStateException("tool '" + name + "': handler is not set");
            }
            return new FunctionTool(new ToolSpec(name, description, binding.schema()), requires, handler, blocking,
                    idempotent);
        }

        private R bind(JsonObject arguments) {
            return type.cast(binding.read(arguments));
        }

        private R bindForCapabilities(JsonObject arguments) {
            try {
                return bind(arguments);
            } catch (BindingException e) {
                throw new ToolException(e.getMessage(), e);
            }
        }

        private ToolResult invalid(BindingException e) {
            return ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "Invalid arguments for tool \"" + name + "\": "
                    + e.getMessage() + ". Call it again with one JSON object that matches its parameter schema.");
        }
    }
}
