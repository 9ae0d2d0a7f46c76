package dev.agentrt.tools.internal.binding;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.ToolException;
import dev.agentrt.core.internal.binding.BindingException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Tool} that calls a Java method. Everything is worked out when it is made (schema, a reader
 * per parameter, a method handle taking the arguments as an array); a call binds the arguments and
 * invokes the handle. Immutable and thread-safe.
 */
final class MethodTool implements Tool {
    /** How the method delivers its result. */
    enum Kind {
        /** A plain method: blocking, run on {@code AgentSchedulers.blocking()} by the registry. */
        BLOCKING,
        MONO,
        /** A {@code Flux} or another {@code Publisher}: its elements become a JSON array. */
        PUBLISHER,
        STAGE
    }

    private final ToolSpec spec;
    private final String where;
    /** {@code (Object[]) Object}, receiver bound. */
    private final MethodHandle method;
    private final Argument[] arguments;
    private final Kind kind;
    private final boolean returnsVoid;
    private final List<Capability> fixed;
    /** {@code (Object[]) Object}, receiver bound; {@code null} without a capabilities method. */
    private final @Nullable MethodHandle capabilities;
    private final Argument[] capabilityArguments;

    MethodTool(ToolSpec spec, String where, MethodHandle method, List<Argument> arguments, Kind kind,
            boolean returnsVoid, List<Capability> fixed, @Nullable MethodHandle capabilities) {
        this.spec = spec;
        this.where = where;
        this.method = method;
        this.arguments = arguments.toArray(Argument[]::new);
        this.kind = kind;
        this.returnsVoid = returnsVoid;
        this.fixed = List.copyOf(fixed);
        this.capabilities = capabilities;
        this.capabilityArguments = arguments.stream()
                .filter(a -> a instanceof Argument.FromJson)
                .toArray(Argument[]::new);
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public boolean blocking() {
        return kind == Kind.BLOCKING;
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        MethodHandle compute = capabilities;
        if (compute == null) {
            return fixed;
        }
        Object computed;
        try {
            computed = (Object) compute.invokeExact(bind(capabilityArguments, arguments, null));
        } catch (BindingException e) {
            throw new ToolException(e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new ToolException(Results.describe(e), e);
        }
        var all = new ArrayList<Capability>(fixed);
        switch (computed) {
            case null -> {
            }
            case Capability c -> all.add(c);
            case Collection<?> many -> addAll(all, many);
            case Object[] many -> addAll(all, List.of(many));
            default -> throw new IllegalStateException("cannot happen: checked by MethodTools");
        }
        return List.copyOf(all);
    }

    private void addAll(List<Capability> all, Collection<?> many) {
        for (Object o : many) {
            if (!(o instanceof Capability c)) {
                throw new ToolException(
                        "the capabilities method of " + where + " returned " + o + ", not a Capability");
            }
            all.add(c);
        }
    }

    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        if (kind == Kind.BLOCKING) {
            return Mono.fromCallable(() -> call(arguments, context));
        }
        return Mono.defer(() -> callAsync(arguments, context));
    }

    private ToolResult call(JsonObject json, ToolContext context) {
        Object[] values;
        try {
            values = bind(arguments, json, context);
        } catch (BindingException e) {
            return Results.invalid(spec.name(), e.getMessage());
        }
        Object out;
        try {
            out = (Object) method.invokeExact(values);
        } catch (Throwable e) {
            return Results.failed(spec.name(), e);
        }
        return returnsVoid ? Results.OK : Results.of(spec.name(), out);
    }

    private Mono<ToolResult> callAsync(JsonObject json, ToolContext context) {
        Object[] values;
        try {
            values = bind(arguments, json, context);
        } catch (BindingException e) {
            return Mono.just(Results.invalid(spec.name(), e.getMessage()));
        }
        Object out;
        try {
            out = (Object) method.invokeExact(values);
        } catch (Throwable e) {
            return Mono.just(Results.failed(spec.name(), e));
        }
        if (out == null) {
            return Mono
                    .just(Results.failed(spec.name(), new IllegalStateException("the method returned null instead of a "
                            + (kind == Kind.STAGE ? "CompletionStage" : kind == Kind.MONO ? "Mono" : "Publisher"))));
        }
        Mono<ToolResult> result = switch (kind) {
            case MONO -> ((Mono<?>) out).map(v -> Results.of(spec.name(), v)).defaultIfEmpty(Results.OK);
            case PUBLISHER -> Flux.from((Publisher<?>) out).collectList().map(list -> Results.of(spec.name(), list));
            case STAGE -> Mono.fromCompletionStage((CompletionStage<?>) out)
                    .map(v -> Results.of(spec.name(), v))
                    .defaultIfEmpty(Results.OK);
            case BLOCKING -> throw new IllegalStateException("cannot happen: blocking tools are called by call()");
        };
        return result.onErrorResume(e -> e instanceof CapabilityDeniedException
                ? Mono.error(e)
                : Mono.fromSupplier(() -> Results.failed(spec.name(), e)));
    }

    private static Object[] bind(Argument[] parameters, JsonObject json, @Nullable ToolContext context) {
        var values = new Object[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            values[i] = parameters[i].value(json, context);
        }
        return values;
    }

    @Override
    public String toString() {
        return "MethodTool[" + spec.name() + " -> " + where + "]";
    }
}
