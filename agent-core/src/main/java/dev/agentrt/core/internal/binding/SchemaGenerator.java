package dev.agentrt.core.internal.binding;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema.Mode;
import org.jspecify.annotations.Nullable;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Generates the JSON Schema of a Java type, or of an object made of named properties (a tool
 * method's parameters), in one of the two {@link Mode}s. The rules are those documented on
 * {@link dev.agentrt.core.json.TypeSchema}; this class holds the walk over the types
 * ({@link Shape}s), the cycles among object types (which go to {@code $defs}) and the rendering.
 * One instance is one generation: not thread-safe, used once.
 */
public final class SchemaGenerator {
    /** Bounds the object types nested in one another, which a generic record can expand without end. */
    private static final int MAX_DEPTH = 64;

    private static final JsonObject NULL_SCHEMA = JsonObject.builder().put("type", "null").build();

    /**
     * One property of an object: its name, its Java type, whether it may be left out (an
     * {@code Optional}, a {@code @Nullable} or a parameter declared not required: such a property
     * also admits {@code null}), and its description.
     */
    public record Property(String name, Type type, @Nullable AnnotatedType annotated, boolean optional,
            @Nullable String description) {}

    private final Mode mode;
    /** The object types found, in the order they were first met. */
    private final Map<Type, Node> nodes = new LinkedHashMap<>();
    private final Set<Type> recursive = new HashSet<>();
    private final Map<Type, String> definitionNames = new HashMap<>();
    private final Map<Type, JsonObject> objects = new HashMap<>();
    private final Set<Type> writing = new HashSet<>();

    private SchemaGenerator(Mode mode) {
        this.mode = mode;
    }

    /**
     * The schema of {@code type}, which must be an object type: a record, a class with properties,
     * or a {@link java.lang.reflect.ParameterizedType} of a generic one.
     *
     * @throws IllegalArgumentException naming the property path, the type and why it is not supported
     */
    public static JsonObject of(Type type, Mode mode) {
        return new SchemaGenerator(mode).generate(type);
    }

    /**
     * The schema of an object with {@code properties}, such as the arguments object of a tool method.
     *
     * @throws IllegalArgumentException naming the property, the type and why it is not supported
     */
    public static JsonObject object(List<Property> properties, Mode mode) {
        var generator = new SchemaGenerator(mode);
        Type root = new Synthetic();
        var node = new Node(Object.class, null);
        generator.nodes.put(root, node);
        var names = new HashSet<String>();
        for (Property p : properties) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException(p.name() + ": two properties have this name");
            }
            Type type = TypeWalk.canonical(p.type(), Map.of());
            generator.addProperty(node, new Property(p.name(), type, p.annotated(), p.optional(), p.description()),
                    p.name(), 1);
        }
        return generator.finish(root);
    }

    /**
     * Whether a value declared with {@code type}, annotated as {@code annotated} on its type and as
     * {@code declarations} on its declarations, may be absent: an {@code Optional} of any kind, or
     * {@code @Nullable} (any annotation of that simple name) on its type or a declaration.
     */
    public static boolean mayBeAbsent(Type type, @Nullable AnnotatedType annotated,
            @Nullable AnnotatedElement... declarations) {
        return Kinds.isOptional(type) || Kinds.isNullable(annotated) || Kinds.isNullable(declarations);
    }

    private JsonObject generate(Type type) {
        Type root = TypeWalk.canonical(type, Map.of());
        Class<?> raw = TypeWalk.rawClass(root);
        if (raw == null || !Kinds.isObjectType(raw)) {
            throw new IllegalArgumentException(type.getTypeName() + " is not supported: " + (mode == Mode.STRICT
                    ? "structured output needs an object type such as a record"
                    : "the arguments need an object type such as a record"));
        }
        objectShape(root, raw, raw.getSimpleName(), 0);
        return finish(root);
    }

    private JsonObject finish(Type root) {
        findRecursive();
        nameDefinitions();
        JsonObject schema = object(root);
        if (definitionNames.isEmpty()) {
            return schema;
        }
        var definitions = JsonObject.builder();
        nodes.keySet()
                .stream()
                .filter(recursive::contains)
                .forEach(t -> definitions.put(definitionNames.get(t), object(t)));
        return JsonObject.builder().putAll(schema).put("$defs", definitions.build()).build();
    }

    // --------------------------------------------------------------------------------------------
    // What a type is, before it is written as JSON

    /** The shape of a value: enough to write its schema, and to find the cycles among object types. */
    sealed interface Shape {}

    /** {@code string}, {@code integer}, {@code number} or {@code boolean}, with a {@code format} or not. */
    record Scalar(String type, @Nullable String format) implements Shape {}

    record EnumShape(List<String> values, @Nullable String description) implements Shape {}

    record ArrayShape(Shape items) implements Shape {}

    /** An object with any property names, whose values have one shape: a {@code Map<String, V>}. */
    record MapShape(Shape values) implements Shape {}

    /** The core's JSON values: any JSON ({@code type} null), any object or any array. */
    record AnyShape(@Nullable String type) implements Shape {}

    /** An object type, by its canonical type (a key of {@link #nodes}). */
    record Ref(Type type) implements Shape {}

    /** The value or {@code null}. */
    record OrNull(Shape value) implements Shape {}

    private record Member(String name, @Nullable String description, Shape shape, boolean optional) {}

    /** An object type; its members are added while its properties are visited. */
    private static final class Node {
        final Class<?> raw;
        final @Nullable String description;
        final List<Member> members = new ArrayList<>();
        final Set<Type> references = new LinkedHashSet<>();

        Node(Class<?> raw, @Nullable String description) {
            this.raw = raw;
            this.description = description;
        }
    }

    /** The key of the root of {@link #object(List, Mode)}: an object that is no Java type. */
    private static final class Synthetic implements Type {}

    // --------------------------------------------------------------------------------------------
    // Types to shapes

    private Shape walk(Type type, @Nullable AnnotatedType use, String path, int depth) {
        AnnotatedType annotated = TypeWalk.upperBound(use);
        boolean nullable = Kinds.isNullable(use) || Kinds.isNullable(annotated);
        Shape shape = switch (type) {
            case Class<?> c -> classShape(c, annotated, path, depth);
            case TypeWalk.Parameterized p -> parameterizedShape(p, annotated, path, depth);
            case TypeWalk.ArrayOf a ->
                new ArrayShape(walk(a.component(), TypeWalk.componentOf(annotated), path + "[]", depth));
            case TypeVariable<?> v -> throw unsupported(path, v,
                    "the type variable has no concrete type; give the generic type its type arguments"
                            + " with a ParameterizedType");
            case WildcardType w -> throw unsupported(path, w, "a wildcard needs an upper bound other than Object");
            default -> throw unsupported(path, type, "unknown kind of java.lang.reflect.Type");
        };
        return nullable && !(type instanceof Class<?> c && c.isPrimitive()) ? orNull(shape) : shape;
    }

    private Shape classShape(Class<?> c, @Nullable AnnotatedType annotated, String path, int depth) {
        Scalar scalar = Scalars.of(c);
        if (scalar != null) {
            return scalar;
        }
        if (c == OptionalInt.class || c == OptionalLong.class) {
            return new OrNull(new Scalar("integer", null));
        }
        if (c == OptionalDouble.class) {
            return new OrNull(new Scalar("number", null));
        }
        if (c.isArray()) {
            return new ArrayShape(walk(c.getComponentType(), TypeWalk.componentOf(annotated), path + "[]", depth));
        }
        if (c.isEnum()) {
            return enumShape(c, path);
        }
        if (c == JsonValue.class || c == JsonObject.class || c == JsonArray.class) {
            if (mode == Mode.STRICT) {
                throw unsupported(path, c, "strict structured output cannot admit arbitrary JSON (no keyword"
                        + " describes it); use a record, or the lenient mode");
            }
            return new AnyShape(c == JsonObject.class ? "object" : c == JsonArray.class ? "array" : null);
        }
        if (Kinds.isObjectType(c)) {
            return objectShape(c, c, path, depth);
        }
        if (Collection.class.isAssignableFrom(c) && c.getTypeParameters().length == 0) {
            return elements(c, c, null, path, depth);
        }
        if (Map.class.isAssignableFrom(c) && c.getTypeParameters().length == 0) {
            return mapShape(c, c, null, path, depth);
        }
        throw Kinds.reject(c, c, path, mode);
    }

    private Shape parameterizedShape(TypeWalk.Parameterized p, @Nullable AnnotatedType annotated, String path,
            int depth) {
        Class<?> raw = p.raw();
        if (raw == Optional.class && p.arguments().size() == 1) {
            return orNull(walk(p.arguments().get(0), TypeWalk.argumentOf(annotated, 0), path, depth));
        }
        if (Collection.class.isAssignableFrom(raw)) {
            return elements(p, raw, annotated, path, depth);
        }
        if (Map.class.isAssignableFrom(raw)) {
            return mapShape(p, raw, annotated, path, depth);
        }
        if (Kinds.isObjectType(raw)) {
            return objectShape(p, raw, path, depth);
        }
        throw Kinds.reject(p, raw, path, mode);
    }

    /** The array of the elements of a collection type. */
    private Shape elements(Type type, Class<?> raw, @Nullable AnnotatedType annotated, String path, int depth) {
        TypeWalk.Argument element = TypeWalk.typeArgument(type, raw, annotated, Collection.class, 0);
        return new ArrayShape(walk(element.type(), element.annotated(), path + "[]", depth));
    }

    /** A map with string (or enum) keys: an object whose property values all have the values' shape. */
    private Shape mapShape(Type type, Class<?> raw, @Nullable AnnotatedType annotated, String path, int depth) {
        if (mode == Mode.STRICT) {
            throw unsupported(path, type, "strict structured output cannot describe maps, whose keys are not known"
                    + " in advance (every object lists its properties and admits no other); use a List of records"
                    + " instead, such as List<Entry> with record Entry(String key, V value), or the lenient mode");
        }
        Type key = TypeWalk.typeArgument(type, raw, annotated, Map.class, 0).type();
        if (key != String.class && key != CharSequence.class) {
            throw unsupported(path, type, "a map's keys become JSON property names, so they must be strings");
        }
        TypeWalk.Argument value = TypeWalk.typeArgument(type, raw, annotated, Map.class, 1);
        return new MapShape(walk(value.type(), value.annotated(), path + "{}", depth));
    }

    private Shape objectShape(Type type, Class<?> raw, String path, int depth) {
        if (nodes.containsKey(type)) {
            return new Ref(type);
        }
        if (depth > MAX_DEPTH) {
            throw unsupported(path, type, "records nest more than " + MAX_DEPTH + " levels deep");
        }
        var node = new Node(raw, description(raw.getAnnotation(JsonClassDescription.class)));
        nodes.put(type, node);
        var names = new HashSet<String>();
        for (Properties.Found found : Properties.of(type, raw)) {
            String propertyPath = path + "." + found.javaName();
            if (!names.add(found.property().name())) {
                throw new IllegalArgumentException(propertyPath + ": the property name \"" + found.property().name()
                        + "\" is used by two " + (raw.isRecord() ? "components" : "properties") + " of "
                        + raw.getTypeName());
            }
            addProperty(node, found.property(), propertyPath, depth + 1);
        }
        return new Ref(type);
    }

    private void addProperty(Node node, Property property, String path, int depth) {
        Shape shape = walk(property.type(), property.annotated(), path, depth);
        boolean optional = property.optional() || shape instanceof OrNull;
        if (optional && !(property.type() instanceof Class<?> c && c.isPrimitive())) {
            shape = orNull(shape);
        }
        node.members.add(new Member(property.name(), property.description(), shape, optional));
        collectReferences(shape, node.references);
    }

    private static Shape enumShape(Class<?> type, String path) {
        List<String> values = Enums.values(type);
        if (values.isEmpty()) {
            throw unsupported(path, type, "an enum without constants has no value");
        }
        return new EnumShape(values, description(type.getAnnotation(JsonClassDescription.class)));
    }

    private static void collectReferences(Shape shape, Set<Type> references) {
        switch (shape) {
            case Ref(Type type) -> references.add(type);
            case ArrayShape(Shape items) -> collectReferences(items, references);
            case MapShape(Shape values) -> collectReferences(values, references);
            case OrNull(Shape value) -> collectReferences(value, references);
            case Scalar s -> {
            }
            case EnumShape e -> {
            }
            case AnyShape a -> {
            }
        }
    }

    // --------------------------------------------------------------------------------------------
    // Cycles

    private void findRecursive() {
        for (Type type : nodes.keySet()) {
            if (reaches(type, type)) {
                recursive.add(type);
            }
        }
    }

    private boolean reaches(Type from, Type target) {
        var seen = new HashSet<Type>();
        Deque<Type> pending = new ArrayDeque<>(nodes.get(from).references);
        while (!pending.isEmpty()) {
            Type next = pending.pop();
            if (next.equals(target)) {
                return true;
            }
            if (seen.add(next)) {
                pending.addAll(nodes.get(next).references);
            }
        }
        return false;
    }

    private void nameDefinitions() {
        var used = new HashSet<String>();
        nodes.forEach((type, node) -> {
            if (recursive.contains(type)) {
                String base = node.raw.getSimpleName();
                String name = base;
                for (int i = 2; !used.add(name); i++) {
                    name = base + "_" + i;
                }
                definitionNames.put(type, name);
            }
        });
    }

    // --------------------------------------------------------------------------------------------
    // Shapes to JSON

    private JsonObject render(Shape shape, @Nullable String description) {
        var schema = JsonObject.builder();
        switch (shape) {
            case Scalar(String type, String format) -> {
                schema.put("type", type);
                if (format != null) {
                    schema.put("format", format);
                }
            }
            case EnumShape(List<String> values, String enumDescription) -> {
                schema.put("type", "string").put("enum", values);
                description = description == null ? enumDescription : description;
            }
            case ArrayShape(Shape items) -> schema.put("type", "array").put("items", render(items, null));
            case MapShape(Shape values) ->
                schema.put("type", "object").put("additionalProperties", render(values, null));
            case AnyShape(String type) -> {
                if (type != null) {
                    schema.put("type", type);
                }
            }
            case Ref(Type type) -> {
                return reference(type, description);
            }
            case OrNull(Scalar(String type, String format)) -> {
                schema.put("type", List.of(type, "null"));
                if (format != null) {
                    schema.put("format", format);
                }
            }
            case OrNull(ArrayShape(Shape items)) ->
                schema.put("type", List.of("array", "null")).put("items", render(items, null));
            case OrNull(MapShape(Shape values)) ->
                schema.put("type", List.of("object", "null")).put("additionalProperties", render(values, null));
            // Any JSON already admits null.
            case OrNull(AnyShape(String type)) -> {
                if (type != null) {
                    schema.put("type", List.of(type, "null"));
                }
            }
            case OrNull(Shape value) -> schema.put("anyOf", JsonArray.of(render(value, null), NULL_SCHEMA));
        }
        if (description != null) {
            schema.put("description", description);
        }
        return schema.build();
    }

    private JsonObject reference(Type type, @Nullable String description) {
        if (recursive.contains(type) && (description == null || writing.contains(type))) {
            // A described reference back into a definition being written loses its description:
            // copying the definition there would never end.
            return JsonObject.builder().put("$ref", "#/$defs/" + definitionNames.get(type)).build();
        }
        // Strict mode allows no keyword beside $ref: a described reference is a copy of the definition.
        JsonObject object = object(type);
        return description == null
                ? object
                : JsonObject.builder().putAll(object).put("description", description).build();
    }

    /** The object schema of an object type, with the description of its class. */
    private JsonObject object(Type type) {
        JsonObject done = objects.get(type);
        if (done != null) {
            return done;
        }
        writing.add(type);
        Node node = nodes.get(type);
        var properties = JsonObject.builder();
        var required = new ArrayList<String>(node.members.size());
        for (Member member : node.members) {
            properties.put(member.name(), render(member.shape(), member.description()));
            // Strict mode: every property is required, one that may be absent admits null instead.
            if (mode == Mode.STRICT || !member.optional()) {
                required.add(member.name());
            }
        }
        var schema = JsonObject.builder().put("type", "object").put("properties", properties.build());
        if (mode == Mode.STRICT || !required.isEmpty()) {
            schema.put("required", required);
        }
        schema.put("additionalProperties", false);
        if (node.description != null) {
            schema.put("description", node.description);
        }
        JsonObject object = schema.build();
        writing.remove(type);
        objects.put(type, object);
        return object;
    }

    static @Nullable String description(@Nullable Annotation annotation) {
        String text = switch (annotation) {
            case JsonPropertyDescription d -> d.value();
            case JsonClassDescription d -> d.value();
            case null, default -> "";
        };
        return text.isBlank() ? null : text;
    }

    static IllegalArgumentException unsupported(String path, Type type, String reason) {
        return new IllegalArgumentException(path + ": " + type.getTypeName() + " is not supported: " + reason);
    }

    private static Shape orNull(Shape shape) {
        return shape instanceof OrNull ? shape : new OrNull(shape);
    }
}
