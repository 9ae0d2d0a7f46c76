package dev.agentrt.tools;

import dev.agentrt.tools.internal.binding.MethodTools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the {@link Tool @Tool} methods of plain Java objects into {@link dev.agentrt.core.tool.Tool}s.
 *
 * <pre>{@code
 * public final class Calendar {
 *     public enum Priority { LOW, NORMAL, HIGH }
 *     public record Attendee(String email, Optional<String> name) {}
 *
 *     @Tool("Books a meeting and returns its id")
 *     public String bookMeeting(@Param("ISO-8601 start, e.g. 2025-03-01T10:00") LocalDateTime start,
 *             List<Attendee> attendees, Optional<Priority> priority) { ... }
 * }
 *
 * Agent agent = Agent.builder().model(model).tools(Tools.from(new Calendar(), Clock.class)).build();
 * }</pre>
 *
 * <p>For each method, at {@code from} time: the JSON Schema of its arguments is generated (records,
 * enums, collections, maps, {@code Optional}s, {@code java.time} values, nested types, descriptions
 * from {@link Param @Param}, {@code @JsonPropertyDescription} and {@code @JsonClassDescription}),
 * checked to compile, and every parameter gets a precomputed reader; a call then only binds the
 * (already validated) arguments with Jackson and invokes a method handle. The arguments object
 * accepts no other properties; a record component is required unless it is an {@code Optional} or
 * {@code @Nullable}. A {@link dev.agentrt.core.tool.ToolContext} parameter receives the call's context
 * and is not part of the schema.
 *
 * <p>What the model reads: a {@code String} (any {@code CharSequence}) as it is; a
 * {@link dev.agentrt.core.tool.ToolResult} as it is (an error result stays an error); a
 * {@link dev.agentrt.core.json.JsonValue} as JSON; {@code void}, an empty {@code Mono} or a
 * {@code null} {@code CompletionStage} value as {@code ok}; a {@code Flux} or other {@code Publisher}
 * as a JSON array of its elements; anything else as Jackson writes it ({@code null} as {@code null}).
 * Arguments that Jackson cannot bind give an {@code INVALID_ARGUMENTS} result and the method is not
 * called; an exception thrown by the method (or signalled by its {@code Mono}, {@code Flux} or
 * future) gives an {@code EXECUTION_FAILED} result carrying its message. A
 * {@code CapabilityDeniedException} from {@code ToolContext.require} becomes a permission-denied result.
 *
 * <p>{@code from} fails with {@code IllegalArgumentException}, naming the class and method, for: a
 * {@code @Tool} method that is not public, is static where an instance was given (or the reverse), has
 * a parameter type that cannot be described or bound (type variables, wildcards, raw generic types,
 * {@code Object}, interfaces other than collections and maps, reactive types), a parameter without a
 * name, an invalid tool name, two tools with the same name, a capability that does not parse, or a
 * missing capabilities method; and for an object without any {@code @Tool} method.
 *
 * <p>The tools are immutable and thread-safe. Blocking methods report
 * {@link dev.agentrt.core.tool.Tool#blocking()}, so the registry runs them on
 * {@link dev.agentrt.core.AgentSchedulers#blocking()} (virtual threads).
 */
public final class Tools {
    private Tools() {}

    /**
     * The tools of every {@code @Tool} method of each object, in the order of the objects and, within
     * one object, by name. An argument that is a {@code Class} contributes its static {@code @Tool}
     * methods, as {@link #from(Class)} does.
     */
    public static List<dev.agentrt.core.tool.Tool> from(Object... beans) {
        Objects.requireNonNull(beans, "beans");
        var all = new ArrayList<dev.agentrt.core.tool.Tool>();
        var owners = new HashMap<String, String>();
        for (Object bean : beans) {
            Objects.requireNonNull(bean, "a bean passed to Tools.from is null");
            List<MethodTools.Bound> bound = bean instanceof Class<?> type
                    ? MethodTools.ofClass(type)
                    : MethodTools.ofInstance(bean);
            addAll(bound, all, owners);
        }
        return List.copyOf(all);
    }

    /** The tools of the static {@code @Tool} methods of {@code type}, by name. */
    public static List<dev.agentrt.core.tool.Tool> from(Class<?> type) {
        Objects.requireNonNull(type, "type");
        var all = new ArrayList<dev.agentrt.core.tool.Tool>();
        addAll(MethodTools.ofClass(type), all, new HashMap<>());
        return List.copyOf(all);
    }

    private static void addAll(List<MethodTools.Bound> bound, List<dev.agentrt.core.tool.Tool> all,
            Map<String, String> owners) {
        for (MethodTools.Bound b : bound) {
            String name = b.tool().spec().name();
            String before = owners.putIfAbsent(name, b.where());
            if (before != null) {
                throw new IllegalArgumentException("two tools are named '" + name + "': " + before + " and "
                        + b.where() + "; give one another name with @Tool(name = ...)");
            }
            all.add(b.tool());
        }
    }
}
