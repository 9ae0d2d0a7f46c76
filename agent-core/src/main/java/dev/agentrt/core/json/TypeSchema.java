package dev.agentrt.core.json;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.jspecify.annotations.Nullable;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.AnnotatedWildcardType;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Currency;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * JSON Schemas generated from Java types, for structured output: a model is asked for JSON matching
 * the schema of a record, and the JSON it returns is then read into that record with Jackson.
 *
 * <pre>{@code
 * record Invoice(String number, LocalDate issued, List<Line> lines, @Nullable String note) {}
 * record Line(String product, int quantity, BigDecimal price) {}
 *
 * JsonObject schema = TypeSchema.of(Invoice.class);
 * // {"type":"object",
 * //  "properties":{"number":{"type":"string"}, "issued":{"type":"string"},
 * //                "lines":{"type":"array","items":{"type":"object","properties":{...},...}},
 * //                "note":{"type":["string","null"]}},
 * //  "required":["number","issued","lines","note"], "additionalProperties":false}
 * Invoice invoice = jsonMapper.readValue(modelOutput, Invoice.class);
 * }</pre>
 *
 * <p>The schemas suit the strictest structured-output mode of the providers (OpenAI's
 * {@code "strict": true}): the root is an object; every object lists all its properties in
 * {@code required} and has {@code "additionalProperties": false}; a value that may be absent is a
 * union with {@code null}; the only keywords are {@code type}, {@code properties}, {@code required},
 * {@code additionalProperties}, {@code items}, {@code enum}, {@code anyOf}, {@code $defs},
 * {@code $ref} and {@code description}. JSON that is valid against a schema is read back by a
 * Jackson 3 {@code JsonMapper} with default settings.
 *
 * <p>The mapping:
 * <ul>
 * <li>a record: an object whose properties are its components, in declaration order, named by
 * {@link JsonProperty @JsonProperty} (when its value is not empty) or else by the component name;
 * {@link JsonPropertyDescription @JsonPropertyDescription} on a component and
 * {@link JsonClassDescription @JsonClassDescription} on a record or enum become {@code description}s.
 * A generic record is resolved through the actual type arguments of the given
 * {@link ParameterizedType} ({@code Page<Invoice>}). A record that is part of a cycle of records
 * ({@code record Node(String name, List<Node> children)}) is defined once in {@code $defs} under its
 * simple name (with a suffix {@code _2}, {@code _3}, ... where names clash) and referred to with
 * {@code $ref}; when the root itself is such a record it is also written out at the root, which must
 * be an object. All other records are written out where they are used;
 * <li>{@code boolean}, {@link Boolean}: {@code boolean}; {@code byte}, {@code short}, {@code int},
 * {@code long}, their wrappers, {@link BigInteger} and {@link Year}: {@code integer}; {@code float},
 * {@code double}, their wrappers and {@link BigDecimal}: {@code number};
 * <li>{@link String}, {@link CharSequence}, {@code char}, {@link Character}, {@code char[]},
 * {@link UUID}, {@link URI}, {@link URL}, {@link Locale}, {@link Currency} and the {@code java.time}
 * values ({@link LocalDate}, {@link Instant}, {@link Duration}, ...): {@code string};
 * <li>an enum: a {@code string} with an {@code enum} of the constants' {@code @JsonProperty} values,
 * or else their {@code toString()}, which is what Jackson 3 reads by default
 * ({@code EnumFeature.READ_ENUMS_USING_TO_STRING}) and for most enums is the name;
 * <li>arrays and {@link Collection}s with an element type ({@code List<Line>}, {@code Set<String>},
 * {@code String[]}): an {@code array} with {@code items};
 * <li>{@link Optional}, {@link OptionalInt}, {@link OptionalLong}, {@link OptionalDouble}, and any
 * type annotated with JSpecify's {@link Nullable @Nullable} (also inside a type:
 * {@code List<@Nullable String>}): the value or {@code null}, written as
 * {@code "type": ["string", "null"]} for scalars and arrays and as
 * {@code "anyOf": [{...}, {"type": "null"}]} for objects, enums and references. Primitives are
 * never {@code null}.
 * </ul>
 *
 * <p>Everything else is rejected with an {@link IllegalArgumentException} naming the component
 * path, the type and the reason, such as
 * {@code Invoice.lines[].product: java.lang.Object is not supported: ...}: maps (strict mode cannot
 * describe arbitrary keys), {@link Object}, wildcards and type variables without a concrete type,
 * raw collections, interfaces and abstract classes, {@link JsonValue}, classes other than records,
 * and at the root anything but a record.
 *
 * <p>A property description replaces the class description of the record or enum it refers to.
 * Because strict mode allows no keyword beside {@code $ref}, a described reference to a record in
 * {@code $defs} is written out as a copy of its definition carrying the description.
 *
 * <p>Thread-safe. Generation uses reflection only and never blocks; the schema of a {@link Class}
 * is computed once and cached. The same type always gives the same JSON text.
 */
public final class TypeSchema {
    /** Bounds the records nested in one another, which a generic record can expand without end. */
    private static final int MAX_DEPTH = 64;

    private static final JsonObject NULL_SCHEMA = JsonObject.builder().put("type", "null").build();

    private static final Map<Class<?>, String> SCALARS = scalars();

    private static final ClassValue<JsonObject> CACHE = new ClassValue<>() {
        @Override
        protected JsonObject computeValue(Class<?> type) {
            return new Generator().generate(type);
        }
    };

    private TypeSchema() {}

    /**
     * The JSON Schema of {@code type}: a record, or a {@link ParameterizedType} of a generic record.
     *
     * @throws IllegalArgumentException if the type, or a type it contains, cannot be described in
     *         strict structured output; the message names the component path, the type and why
     */
    public static JsonObject of(Type type) {
        Objects.requireNonNull(type, "type");
        return type instanceof Class<?> c ? CACHE.get(c) : new Generator().generate(type);
    }

    private static Map<Class<?>, String> scalars() {
        var scalars = new HashMap<Class<?>, String>();
        for (Class<?> c : List.of(boolean.class, Boolean.class)) {
            scalars.put(c, "boolean");
        }
        for (Class<?> c : List.of(byte.class, short.class, int.class, long.class, Byte.class, Short.class,
                Integer.class, Long.class, BigInteger.class, Year.class)) {
            scalars.put(c, "integer");
        }
        for (Class<?> c : List.of(float.class, double.class, Float.class, Double.class, BigDecimal.class)) {
            scalars.put(c, "number");
        }
        for (Class<?> c : List.of(String.class, CharSequence.class, char.class, Character.class, char[].class,
                UUID.class, URI.class, URL.class, Locale.class, Currency.class, LocalDate.class, LocalTime.class,
                LocalDateTime.class, OffsetDateTime.class, OffsetTime.class, ZonedDateTime.class, Instant.class,
                Duration.class, Period.class, YearMonth.class, MonthDay.class, ZoneId.class, ZoneOffset.class)) {
            scalars.put(c, "string");
        }
        return Map.copyOf(scalars);
    }

    // --------------------------------------------------------------------------------------------
    // What a type is, before it is written as JSON

    /** The shape of a value: enough to write its schema, and to find the cycles among records. */
    private sealed interface Shape {}

    /** {@code string}, {@code integer}, {@code number} or {@code boolean}. */
    private record Scalar(String type) implements Shape {}

    private record EnumShape(List<String> values, @Nullable String description) implements Shape {}

    private record ArrayShape(Shape items) implements Shape {}

    /** A record, by its canonical type (a key of {@link Generator#records}). */
    private record Ref(Type type) implements Shape {}

    /** The value or {@code null}. */
    private record OrNull(Shape value) implements Shape {}

    private record Property(String name, @Nullable String description, Shape shape) {}

    /** A record type; its properties are added while its components are visited. */
    private static final class RecordNode {
        final Class<?> raw;
        final @Nullable String description;
        final List<Property> properties = new ArrayList<>();
        final Set<Type> references = new LinkedHashSet<>();

        RecordNode(Class<?> raw, @Nullable String description) {
            this.raw = raw;
            this.description = description;
        }
    }

    /** One generation; not thread-safe, used once. */
    private static final class Generator {
        /** The records found, in the order they were first met. */
        private final Map<Type, RecordNode> records = new LinkedHashMap<>();
        private final Set<Type> recursive = new HashSet<>();
        private final Map<Type, String> definitionNames = new HashMap<>();
        private final Map<Type, JsonObject> objects = new HashMap<>();
        private final Set<Type> writing = new HashSet<>();

        JsonObject generate(Type type) {
            Type root = canonical(type, Map.of());
            Class<?> raw = rawClass(root);
            if (raw == null || !raw.isRecord() || JsonValue.class.isAssignableFrom(raw)) {
                throw new IllegalArgumentException(type.getTypeName()
                        + " is not supported: structured output needs an object type such as a record");
            }
            record(root, raw, raw.getSimpleName(), 0);
            findRecursive();
            nameDefinitions();
            JsonObject schema = object(root);
            if (definitionNames.isEmpty()) {
                return schema;
            }
            var definitions = JsonObject.builder();
            records.keySet()
                    .stream()
                    .filter(recursive::contains)
                    .forEach(t -> definitions.put(definitionNames.get(t), object(t)));
            return JsonObject.builder().putAll(schema).put("$defs", definitions.build()).build();
        }

        // ----------------------------------------------------------------------------------------
        // Types to shapes

        private Shape walk(Type type, @Nullable AnnotatedType use, String path, int depth) {
            AnnotatedType annotated = upperBound(use);
            boolean nullable = isNullable(use) || isNullable(annotated);
            Shape shape = switch (type) {
                case Class<?> c -> classShape(c, annotated, path, depth);
                case Parameterized p -> parameterizedShape(p, annotated, path, depth);
                case ArrayOf a -> new ArrayShape(walk(a.component(), componentOf(annotated), path + "[]", depth));
                case TypeVariable<?> v -> throw unsupported(path, v,
                        "the type variable has no concrete type; give the generic record its type arguments"
                                + " with a ParameterizedType");
                case WildcardType w -> throw unsupported(path, w, "a wildcard needs an upper bound other than Object");
                default -> throw unsupported(path, type, "unknown kind of java.lang.reflect.Type");
            };
            return nullable && !(type instanceof Class<?> c && c.isPrimitive()) ? orNull(shape) : shape;
        }

        private Shape classShape(Class<?> c, @Nullable AnnotatedType annotated, String path, int depth) {
            String scalar = SCALARS.get(c);
            if (scalar != null) {
                return new Scalar(scalar);
            }
            if (c == OptionalInt.class || c == OptionalLong.class) {
                return new OrNull(new Scalar("integer"));
            }
            if (c == OptionalDouble.class) {
                return new OrNull(new Scalar("number"));
            }
            if (c.isArray()) {
                return new ArrayShape(walk(c.getComponentType(), componentOf(annotated), path + "[]", depth));
            }
            if (c.isEnum()) {
                return enumShape(c, path);
            }
            if (c.isRecord() && !JsonValue.class.isAssignableFrom(c)) {
                return record(c, c, path, depth);
            }
            if (Collection.class.isAssignableFrom(c) && c.getTypeParameters().length == 0) {
                return elements(c, c, null, path, depth);
            }
            throw reject(c, c, path);
        }

        private Shape parameterizedShape(Parameterized p, @Nullable AnnotatedType annotated, String path, int depth) {
            Class<?> raw = p.raw();
            if (raw == Optional.class && p.arguments().size() == 1) {
                return orNull(walk(p.arguments().get(0), argumentOf(annotated, 0), path, depth));
            }
            if (Collection.class.isAssignableFrom(raw)) {
                return elements(p, raw, annotated, path, depth);
            }
            if (raw.isRecord()) {
                return record(p, raw, path, depth);
            }
            throw reject(p, raw, path);
        }

        /** The array of the elements of a collection type. */
        private Shape elements(Type type, Class<?> raw, @Nullable AnnotatedType annotated, String path, int depth) {
            // The element type in terms of raw's own type variables, so that its annotations can be found.
            Type element = typeArgument(raw, Map.of(), Collection.class);
            int index = element instanceof TypeVariable<?> v ? Arrays.asList(raw.getTypeParameters()).indexOf(v) : -1;
            Type resolved = canonical(element, bindings(raw, type));
            return new ArrayShape(walk(resolved, index < 0 ? null : argumentOf(annotated, index), path + "[]", depth));
        }

        private Shape record(Type type, Class<?> raw, String path, int depth) {
            if (records.containsKey(type)) {
                return new Ref(type);
            }
            if (depth > MAX_DEPTH) {
                throw unsupported(path, type, "records nest more than " + MAX_DEPTH + " levels deep");
            }
            var node = new RecordNode(raw, description(raw.getAnnotation(JsonClassDescription.class)));
            records.put(type, node);
            Map<TypeVariable<?>, Type> bindings = bindings(raw, type);
            RecordComponent[] components = raw.getRecordComponents();
            Parameter[] parameters = canonicalConstructorParameters(raw, components);
            var names = new HashSet<String>();
            for (int i = 0; i < components.length; i++) {
                RecordComponent component = components[i];
                Parameter parameter = i < parameters.length ? parameters[i] : null;
                String componentPath = path + "." + component.getName();
                JsonProperty property = annotation(component, parameter, JsonProperty.class);
                String name = property == null || property.value().isEmpty() ? component.getName() : property.value();
                if (!names.add(name)) {
                    throw new IllegalArgumentException(componentPath + ": the property name \"" + name
                            + "\" is used by two components of " + raw.getTypeName());
                }
                Shape shape = walk(canonical(component.getGenericType(), bindings), component.getAnnotatedType(),
                        componentPath, depth + 1);
                String description = description(annotation(component, parameter, JsonPropertyDescription.class));
                node.properties.add(new Property(name, description, shape));
                collectReferences(shape, node.references);
            }
            return new Ref(type);
        }

        private static Shape enumShape(Class<?> type, String path) {
            var values = new LinkedHashSet<String>();
            for (Object constant : type.getEnumConstants()) {
                String name = ((Enum<?>) constant).name();
                JsonProperty property = null;
                try {
                    property = type.getField(name).getAnnotation(JsonProperty.class);
                } catch (NoSuchFieldException e) {
                    // Every enum constant is a public field of its enum.
                }
                values.add(property == null || property.value().isEmpty() ? constant.toString() : property.value());
            }
            if (values.isEmpty()) {
                throw unsupported(path, type, "an enum without constants has no value");
            }
            return new EnumShape(List.copyOf(values), description(type.getAnnotation(JsonClassDescription.class)));
        }

        private static void collectReferences(Shape shape, Set<Type> references) {
            switch (shape) {
                case Ref(Type type) -> references.add(type);
                case ArrayShape(Shape items) -> collectReferences(items, references);
                case OrNull(Shape value) -> collectReferences(value, references);
                case Scalar s -> {
                }
                case EnumShape e -> {
                }
            }
        }

        // ----------------------------------------------------------------------------------------
        // Cycles

        private void findRecursive() {
            for (Type type : records.keySet()) {
                if (reaches(type, type)) {
                    recursive.add(type);
                }
            }
        }

        private boolean reaches(Type from, Type target) {
            var seen = new HashSet<Type>();
            Deque<Type> pending = new ArrayDeque<>(records.get(from).references);
            while (!pending.isEmpty()) {
                Type next = pending.pop();
                if (next.equals(target)) {
                    return true;
                }
                if (seen.add(next)) {
                    pending.addAll(records.get(next).references);
                }
            }
            return false;
        }

        private void nameDefinitions() {
            var used = new HashSet<String>();
            records.forEach((type, node) -> {
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

        // ----------------------------------------------------------------------------------------
        // Shapes to JSON

        private JsonObject render(Shape shape, @Nullable String description) {
            var schema = JsonObject.builder();
            switch (shape) {
                case Scalar(String type) -> schema.put("type", type);
                case EnumShape(List<String> values, String enumDescription) -> {
                    schema.put("type", "string").put("enum", values);
                    description = description == null ? enumDescription : description;
                }
                case ArrayShape(Shape items) -> schema.put("type", "array").put("items", render(items, null));
                case Ref(Type type) -> {
                    return reference(type, description);
                }
                case OrNull(Scalar(String type)) -> schema.put("type", List.of(type, "null"));
                case OrNull(ArrayShape(Shape items)) ->
                    schema.put("type", List.of("array", "null")).put("items", render(items, null));
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
            JsonObject object = object(type);
            return description == null
                    ? object
                    : JsonObject.builder().putAll(object).put("description", description).build();
        }

        /** The object schema of a record, with the description of its class. */
        private JsonObject object(Type type) {
            JsonObject done = objects.get(type);
            if (done != null) {
                return done;
            }
            writing.add(type);
            RecordNode node = records.get(type);
            var properties = JsonObject.builder();
            for (Property property : node.properties) {
                properties.put(property.name(), render(property.shape(), property.description()));
            }
            var schema = JsonObject.builder()
                    .put("type", "object")
                    .put("properties", properties.build())
                    .put("required", node.properties.stream().map(Property::name).toList())
                    .put("additionalProperties", false);
            if (node.description != null) {
                schema.put("description", node.description);
            }
            JsonObject object = schema.build();
            writing.remove(type);
            objects.put(type, object);
            return object;
        }
    }

    // --------------------------------------------------------------------------------------------
    // Reflection

    /**
     * {@code type} with its type variables replaced by their {@code bindings} and bounded wildcards by
     * their bound, in a form with structural equality. Unbound type variables and wildcards without a
     * bound are kept, to be reported with the path where they are used.
     */
    private static Type canonical(Type type, Map<TypeVariable<?>, Type> bindings) {
        return switch (type) {
            case Class<?> c -> c;
            case ParameterizedType p when p.getRawType() instanceof Class<?> raw -> new Parameterized(raw,
                    Arrays.stream(p.getActualTypeArguments()).map(a -> canonical(a, bindings)).toList());
            case GenericArrayType a -> {
                Type component = canonical(a.getGenericComponentType(), bindings);
                yield component instanceof Class<?> c ? c.arrayType() : new ArrayOf(component);
            }
            case TypeVariable<?> v -> bindings.getOrDefault(v, v);
            case WildcardType w when w.getLowerBounds().length == 0 && w.getUpperBounds().length == 1
                    && w.getUpperBounds()[0] != Object.class ->
                canonical(w.getUpperBounds()[0], bindings);
            default -> type;
        };
    }

    private static @Nullable Class<?> rawClass(Type type) {
        return switch (type) {
            case Class<?> c -> c;
            case ParameterizedType p when p.getRawType() instanceof Class<?> raw -> raw;
            default -> null;
        };
    }

    /** The type variables of {@code raw} bound to the type arguments of {@code type}. */
    private static Map<TypeVariable<?>, Type> bindings(Class<?> raw, Type type) {
        if (!(type instanceof Parameterized p)) {
            return Map.of();
        }
        TypeVariable<?>[] variables = raw.getTypeParameters();
        var bindings = new HashMap<TypeVariable<?>, Type>();
        for (int i = 0; i < Math.min(variables.length, p.arguments().size()); i++) {
            bindings.put(variables[i], p.arguments().get(i));
        }
        return bindings;
    }

    /** The (first) type argument of the supertype {@code target} of {@code raw}, its variables bound by {@code bindings}. */
    private static Type typeArgument(Class<?> raw, Map<TypeVariable<?>, Type> bindings, Class<?> target) {
        if (raw == target) {
            TypeVariable<?> variable = target.getTypeParameters()[0];
            return bindings.getOrDefault(variable, variable);
        }
        var supertypes = new ArrayList<Type>();
        if (raw.getGenericSuperclass() != null) {
            supertypes.add(raw.getGenericSuperclass());
        }
        supertypes.addAll(List.of(raw.getGenericInterfaces()));
        for (Type supertype : supertypes) {
            Class<?> superclass = rawClass(supertype);
            if (superclass != null && target.isAssignableFrom(superclass)) {
                Type resolved = canonical(supertype, bindings);
                return typeArgument(superclass, bindings(superclass, resolved), target);
            }
        }
        throw new IllegalStateException(raw.getTypeName() + " does not extend " + target.getTypeName());
    }

    private static @Nullable AnnotatedType upperBound(@Nullable AnnotatedType type) {
        if (type instanceof AnnotatedWildcardType w && w.getAnnotatedLowerBounds().length == 0
                && w.getAnnotatedUpperBounds().length == 1) {
            return w.getAnnotatedUpperBounds()[0];
        }
        return type;
    }

    /**
     * The annotated type argument at {@code index}; null when the annotated type does not have the
     * structure of the type, which happens where a type variable was replaced by its binding.
     */
    private static @Nullable AnnotatedType argumentOf(@Nullable AnnotatedType type, int index) {
        if (type instanceof AnnotatedParameterizedType p && index < p.getAnnotatedActualTypeArguments().length) {
            return p.getAnnotatedActualTypeArguments()[index];
        }
        return null;
    }

    private static @Nullable AnnotatedType componentOf(@Nullable AnnotatedType type) {
        return type instanceof AnnotatedArrayType a ? a.getAnnotatedGenericComponentType() : null;
    }

    private static boolean isNullable(@Nullable AnnotatedType type) {
        return type != null && type.isAnnotationPresent(Nullable.class);
    }

    private static Shape orNull(Shape shape) {
        return shape instanceof OrNull ? shape : new OrNull(shape);
    }

    private static Parameter[] canonicalConstructorParameters(Class<?> record, RecordComponent[] components) {
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            return record.getDeclaredConstructor(types).getParameters();
        } catch (NoSuchMethodException e) {
            return new Parameter[0];
        }
    }

    /**
     * An annotation of a record component, wherever Java put it: on the component, its accessor, its
     * field or its constructor parameter, depending on the targets the annotation allows.
     */
    private static <A extends Annotation> @Nullable A annotation(RecordComponent component,
            @Nullable Parameter parameter, Class<A> type) {
        A found = component.getAnnotation(type);
        if (found == null) {
            found = component.getAccessor().getAnnotation(type);
        }
        if (found == null) {
            try {
                found = component.getDeclaringRecord().getDeclaredField(component.getName()).getAnnotation(type);
            } catch (NoSuchFieldException e) {
                // Every record component has its field.
            }
        }
        if (found == null && parameter != null) {
            found = parameter.getAnnotation(type);
        }
        return found;
    }

    private static @Nullable String description(@Nullable Annotation annotation) {
        String text = switch (annotation) {
            case JsonPropertyDescription d -> d.value();
            case JsonClassDescription d -> d.value();
            case null, default -> "";
        };
        return text.isBlank() ? null : text;
    }

    private static IllegalArgumentException reject(Type type, Class<?> raw, String path) {
        if (raw == Object.class) {
            return unsupported(path, type, "it admits any JSON value; use a concrete type");
        }
        if (JsonValue.class.isAssignableFrom(raw)) {
            return unsupported(path, type, "strict structured output cannot admit arbitrary JSON; use a record");
        }
        if (Map.class.isAssignableFrom(raw)) {
            return unsupported(path, type, "strict structured output cannot describe maps, whose keys are not"
                    + " known in advance; use a List of records instead, such as List<Entry> with"
                    + " record Entry(String key, V value)");
        }
        if (Collection.class.isAssignableFrom(raw) || raw == Optional.class) {
            return unsupported(path, type,
                    "a raw " + raw.getSimpleName() + " has no element type; declare one, such as "
                            + raw.getSimpleName() + "<String>");
        }
        if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            return unsupported(path, type, "interfaces and abstract classes have no fixed properties; use a record");
        }
        return unsupported(path, type, "only records are supported as object types");
    }

    private static IllegalArgumentException unsupported(String path, Type type, String reason) {
        return new IllegalArgumentException(path + ": " + type.getTypeName() + " is not supported: " + reason);
    }

    /** A parameterized type with structural equality, whatever implementation it was made from. */
    private record Parameterized(Class<?> raw, List<Type> arguments) implements ParameterizedType {
        @Override
        public Type[] getActualTypeArguments() {
            return arguments.toArray(Type[]::new);
        }

        @Override
        public Type getRawType() {
            return raw;
        }

        @Override
        public @Nullable Type getOwnerType() {
            return raw.getDeclaringClass();
        }

        @Override
        public String getTypeName() {
            return arguments.stream()
                    .map(Type::getTypeName)
                    .collect(Collectors.joining(", ", raw.getTypeName() + "<", ">"));
        }

        @Override
        public String toString() {
            return getTypeName();
        }
    }

    /** An array of a parameterized type or type variable, with structural equality. */
    private record ArrayOf(Type component) implements GenericArrayType {
        @Override
        public Type getGenericComponentType() {
            return component;
        }

        @Override
        public String getTypeName() {
            return component.getTypeName() + "[]";
        }

        @Override
        public String toString() {
            return getTypeName();
        }
    }
}
