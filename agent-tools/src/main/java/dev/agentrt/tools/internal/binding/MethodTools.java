package dev.agentrt.tools.internal.binding;

import dev.agentrt.core.internal.binding.Reader;
import dev.agentrt.core.internal.binding.Readers;
import dev.agentrt.core.internal.binding.SchemaGenerator;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.tools.Param;
import dev.agentrt.tools.ToolMethod;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Finds the {@link ToolMethod @ToolMethod} methods of a class (and those marked with the deprecated
 * {@code @Tool}, bound the same way) and makes a {@link MethodTool} of each: the entry point of
 * {@code dev.agentrt.tools.Tools}. The schema of the arguments comes from the core's one
 * type-to-schema path ({@link SchemaGenerator}, lenient mode), the arguments are bound by the core's
 * readers and mapper. Every problem is an {@link IllegalArgumentException} naming the class and
 * method.
 */
public final class MethodTools {
    /** A tool and the method it calls, for messages. */
    public record Bound(Tool tool, String where) {}

    /** The elements of a {@code @ToolMethod} or {@code @Tool}, whichever marks the method. */
    private record Declared(String value, String description, String name, String[] requires, String capabilities) {}

    private MethodTools() {}

    /** Whether {@code m} is marked as a tool, by {@code @ToolMethod} or the deprecated {@code @Tool}. */
    @SuppressWarnings("removal")
    private static boolean isTool(Method m) {
        return m.isAnnotationPresent(ToolMethod.class) || m.isAnnotationPresent(dev.agentrt.tools.Tool.class);
    }

    @SuppressWarnings("removal")
    private static Declared declared(Method m, String where) {
        ToolMethod current = m.getAnnotation(ToolMethod.class);
        dev.agentrt.tools.Tool former = m.getAnnotation(dev.agentrt.tools.Tool.class);
        if (current != null && former != null) {
            throw new IllegalArgumentException(where + ": marked both @ToolMethod and @Tool; keep @ToolMethod");
        }
        if (current != null) {
            return new Declared(current.value(), current.description(), current.name(), current.requires(),
                    current.capabilities());
        }
        return new Declared(former.value(), former.description(), former.name(), former.requires(),
                former.capabilities());
    }

    /** The tools of the instance {@code @ToolMethod} methods of {@code bean}, by name. */
    public static List<Bound> ofInstance(Object bean) {
        return scan(bean.getClass(), bean);
    }

    /** The tools of the static {@code @ToolMethod} methods of {@code type}, by name. */
    public static List<Bound> ofClass(Class<?> type) {
        return scan(type, null);
    }

    private static List<Bound> scan(Class<?> type, @Nullable Object bean) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (isTool(m) && !Modifier.isPublic(m.getModifiers())) {
                    throw new IllegalArgumentException(where(m) + ": a @ToolMethod method must be public");
                }
            }
        }
        var methods = new ArrayList<Method>();
        for (Method m : type.getMethods()) {
            if (isTool(m) && !m.isBridge() && !m.isSynthetic()) {
                methods.add(m);
            }
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException(type.getName() + " has no public @ToolMethod method"
                    + (bean == null
                            ? ""
                            : " (static ones are found through Tools.from(" + type.getSimpleName()
                                    + ".class))"));
        }
        var bound = new ArrayList<Bound>(methods.size());
        for (Method m : methods) {
            bound.add(new Bound(make(type, m, bean), where(m)));
        }
        bound.sort(Comparator.comparing(b -> b.tool().spec().name()));
        return List.copyOf(bound);
    }

    private static MethodTool make(Class<?> type, Method m, @Nullable Object bean) {
        String where = where(m);
        boolean isStatic = Modifier.isStatic(m.getModifiers());
        if (bean != null && isStatic) {
            throw new IllegalArgumentException(
                    where + ": a static @ToolMethod method; static tools come from the class,"
                            + " Tools.from(" + type.getSimpleName() + ".class), not from an instance");
        }
        if (bean == null && !isStatic) {
            throw new IllegalArgumentException(where + ": an instance @ToolMethod method; pass an instance of "
                    + type.getSimpleName() + " to Tools.from, not the class");
        }
        Declared annotation = declared(m, where);
        String description = alias(annotation.value(), annotation.description(), where, "@ToolMethod");
        String name = annotation.name().isEmpty() ? snakeCase(m.getName()) : annotation.name();

        var arguments = new ArrayList<Argument>();
        var properties = new ArrayList<SchemaGenerator.Property>();
        var jsonTypes = new ArrayList<Type>();
        var names = new HashSet<String>();
        for (Parameter p : m.getParameters()) {
            if (p.getType() == ToolContext.class) {
                if (p.isAnnotationPresent(Param.class)) {
                    throw new IllegalArgumentException(where + ": a ToolContext parameter is not shown to the model;"
                            + " remove its @Param");
                }
                arguments.add(Argument.Context.INSTANCE);
                continue;
            }
            Argument.FromJson argument = parameter(p, where, properties);
            if (!names.add(argument.name())) {
                throw new IllegalArgumentException(where + ": two parameters are named \"" + argument.name() + "\"");
            }
            arguments.add(argument);
            jsonTypes.add(p.getParameterizedType());
        }

        JsonObject schema;
        try {
            schema = SchemaGenerator.object(properties, TypeSchema.Mode.LENIENT);
            JsonSchema.compile(schema);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": cannot generate the JSON Schema of its parameters: "
                    + e.getMessage(), e);
        }
        ToolSpec spec;
        try {
            spec = new ToolSpec(name, description, schema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage()
                    + (annotation.name().isEmpty() ? "; name it with @ToolMethod(name = ...)" : ""), e);
        }

        var fixed = new ArrayList<Capability>();
        for (String text : annotation.requires()) {
            try {
                fixed.add(Capability.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": @ToolMethod(requires) has an invalid capability: "
                        + e.getMessage(), e);
            }
        }
        MethodHandle capabilities = annotation.capabilities().isEmpty()
                ? null
                : handle(companion(type, m, annotation.capabilities(), jsonTypes, where), bean, where);

        Class<?> returns = m.getReturnType();
        MethodTool.Kind kind;
        if (Mono.class.isAssignableFrom(returns)) {
            kind = MethodTool.Kind.MONO;
        } else if (Publisher.class.isAssignableFrom(returns)) {
            kind = MethodTool.Kind.PUBLISHER;
        } else if (CompletionStage.class.isAssignableFrom(returns)) {
            kind = MethodTool.Kind.STAGE;
        } else if (Future.class.isAssignableFrom(returns)) {
            throw new IllegalArgumentException(where + ": a Future cannot be awaited without blocking; return a"
                    + " CompletableFuture (CompletionStage) or a Mono");
        } else {
            kind = MethodTool.Kind.BLOCKING;
        }
        boolean returnsVoid = returns == void.class || returns == Void.class;
        spec = spec.withOutputSchema(outputSchema(m, kind));
        return new MethodTool(spec, where, handle(m, bean, where), arguments, kind, returnsVoid, fixed, capabilities);
    }

    /**
     * The JSON Schema of the object every result of {@code m} is, or null when its results are not a JSON object of
     * one known type: text, JSON of any shape, a {@code ToolResult}, nothing, an array (a {@code Flux}), or a type
     * {@link TypeSchema} cannot describe at the root.
     */
    private static @Nullable JsonObject outputSchema(Method m, MethodTool.Kind kind) {
        Type type = switch (kind) {
            case BLOCKING -> m.getGenericReturnType();
            case MONO, STAGE -> m.getGenericReturnType() instanceof ParameterizedType p
                    && p.getActualTypeArguments().length == 1 ? p.getActualTypeArguments()[0] : null;
            case PUBLISHER -> null;
        };
        Class<?> raw = type instanceof Class<?> c
                ? c
                : type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c ? c : null;
        if (raw == null || raw.isPrimitive() || raw == Void.class || raw == Object.class
                || CharSequence.class.isAssignableFrom(raw) || JsonValue.class.isAssignableFrom(raw)
                || dev.agentrt.core.tool.ToolResult.class.isAssignableFrom(raw) || Optional.class == raw
                || Collection.class.isAssignableFrom(raw) || java.util.Map.class.isAssignableFrom(raw)) {
            return null;
        }
        try {
            JsonObject schema = TypeSchema.of(type, TypeSchema.Mode.LENIENT);
            return JsonValue.of("object").equals(schema.get("type")) ? schema : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Argument.FromJson parameter(Parameter p, String where,
            List<SchemaGenerator.Property> properties) {
        Param param = p.getAnnotation(Param.class);
        String name = param == null ? "" : param.name();
        if (name.isEmpty()) {
            if (!p.isNamePresent()) {
                throw new IllegalArgumentException(where + ": the name of parameter " + p.getName()
                        + " was not compiled in; compile with -parameters or name it with @Param(name = ...)");
            }
            name = p.getName();
        } else if (name.isBlank()) {
            throw new IllegalArgumentException(where + ": @Param(name) of parameter " + p.getName() + " is blank");
        }
        String description = param == null ? "" : alias(param.value(), param.description(), where, "@Param");
        boolean wanted = param == null || param.required();
        Type type = p.getParameterizedType();
        Class<?> raw = p.getType();
        String at = where + ", parameter \"" + name + "\"";
        requireSupported(type, at);

        Reader reader;
        Object absent = null;
        boolean required;
        if (raw == Optional.class) {
            if (!(type instanceof ParameterizedType optional)) {
                throw new IllegalArgumentException(at + ": the raw type Optional lacks its type argument");
            }
            reader = Readers.optional(Readers.forType(optional.getActualTypeArguments()[0]));
            absent = Optional.empty();
            required = false;
        } else if (raw == OptionalInt.class) {
            reader = Readers.optionalInt();
            absent = OptionalInt.empty();
            required = false;
        } else if (raw == OptionalLong.class) {
            reader = Readers.optionalLong();
            absent = OptionalLong.empty();
            required = false;
        } else if (raw == OptionalDouble.class) {
            reader = Readers.optionalDouble();
            absent = OptionalDouble.empty();
            required = false;
        } else {
            reader = Readers.forType(type);
            required = wanted && !SchemaGenerator.mayBeAbsent(type, p.getAnnotatedType(), p);
            if (!required && raw.isPrimitive()) {
                throw new IllegalArgumentException(at + ": a primitive " + raw + " cannot be left out; declare it as "
                        + boxed(raw) + " or Optional<" + boxed(raw) + ">");
            }
        }
        properties.add(new SchemaGenerator.Property(name, type, p.getAnnotatedType(), !required,
                description.isEmpty() ? null : description));
        return new Argument.FromJson(name, reader, required, absent, raw == JsonValue.class);
    }

    private static void requireSupported(Type type, String at) {
        String why = Types.unsupported(type);
        if (why != null) {
            throw new IllegalArgumentException(at + ": unsupported type " + why);
        }
    }

    /** The public method {@code name} that takes the tool's JSON parameters and returns capabilities. */
    private static Method companion(Class<?> type, Method tool, String name, List<Type> parameters, String where) {
        Type[] wanted = parameters.toArray(Type[]::new);
        Method found = null;
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && Arrays.equals(m.getGenericParameterTypes(), wanted)) {
                found = m;
            }
        }
        String signature = "public Collection<Capability> " + name + "("
                + parameters.stream().map(Type::getTypeName).collect(Collectors.joining(", ")) + ")";
        if (found == null) {
            throw new IllegalArgumentException(where + ": @ToolMethod(capabilities = \"" + name + "\") names no method "
                    + signature + " in " + type.getName()
                    + " (it takes the tool's parameters without ToolContext, and must be public)");
        }
        if (Modifier.isStatic(tool.getModifiers()) && !Modifier.isStatic(found.getModifiers())) {
            throw new IllegalArgumentException(where + ": the capabilities method " + name
                    + " must be static, as the tool method is");
        }
        if (!returnsCapabilities(found)) {
            throw new IllegalArgumentException(where + ": the capabilities method " + name + " returns "
                    + found.getGenericReturnType().getTypeName()
                    + "; it must return a Capability, a Collection of them or an array");
        }
        return found;
    }

    private static boolean returnsCapabilities(Method m) {
        Class<?> r = m.getReturnType();
        if (Capability.class.isAssignableFrom(r)) {
            return true;
        }
        if (r.isArray()) {
            return Capability.class.isAssignableFrom(r.getComponentType());
        }
        if (!Collection.class.isAssignableFrom(r)) {
            return false;
        }
        if (!(m.getGenericReturnType() instanceof ParameterizedType p) || p.getActualTypeArguments().length != 1) {
            return false;
        }
        Type element = p.getActualTypeArguments()[0];
        if (element instanceof WildcardType w && w.getUpperBounds().length == 1) {
            element = w.getUpperBounds()[0];
        }
        return element instanceof Class<?> c && Capability.class.isAssignableFrom(c);
    }

    /** {@code m} as {@code (Object[]) Object}, bound to {@code bean} unless static. */
    private static MethodHandle handle(Method m, @Nullable Object bean, String where) {
        if (!m.trySetAccessible()) {
            throw new IllegalArgumentException(where + ": not accessible; make " + m.getDeclaringClass().getName()
                    + " public, or open its package to agentrt");
        }
        MethodHandle h;
        try {
            h = MethodHandles.lookup().unreflect(m).asFixedArity();
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException(where + ": not accessible: " + e.getMessage(), e);
        }
        if (!Modifier.isStatic(m.getModifiers())) {
            h = h.bindTo(bean);
        }
        return h.asSpreader(Object[].class, m.getParameterCount())
                .asType(MethodType.methodType(Object.class, Object[].class));
    }

    private static String alias(String value, String description, String where, String annotation) {
        if (!value.isEmpty() && !description.isEmpty() && !value.equals(description)) {
            throw new IllegalArgumentException(where + ": " + annotation
                    + " sets both value and description; they are the same thing, set one");
        }
        return value.isEmpty() ? description : value;
    }

    private static String boxed(Class<?> primitive) {
        return MethodType.methodType(primitive).wrap().returnType().getSimpleName();
    }

    /** {@code currentWeather} → {@code current_weather}, {@code parseHTTPResponse} → {@code parse_http_response}. */
    static String snakeCase(String name) {
        var b = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                char before = name.charAt(i - 1);
                boolean wordEnds = Character.isLowerCase(before) || Character.isDigit(before);
                boolean acronymEnds = Character.isUpperCase(before) && i + 1 < name.length()
                        && Character.isLowerCase(name.charAt(i + 1));
                if (wordEnds || acronymEnds) {
                    b.append('_');
                }
            }
            b.append(Character.toLowerCase(c));
        }
        return b.toString();
    }

    private static String where(Method m) {
        return m.getDeclaringClass().getName() + "." + m.getName() + "("
                + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", "))
                + ")";
    }
}
