package dev.agentrt.tools.internal.binding;

import com.fasterxml.classmate.ResolvedType;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaBuilder;
import com.github.victools.jsonschema.generator.SchemaGenerationContext;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import com.github.victools.jsonschema.module.jackson.JacksonSchemaModule;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Generates the JSON Schema of a tool method's arguments object with victools (draft 2020-12, the
 * Jackson module): one property per parameter, {@code additionalProperties: false}, the types used
 * more than once (or recursively) under {@code $defs}. Record components are required unless they
 * are an {@code Optional} or {@code @Nullable}, which may also be {@code null}; properties keep the
 * declaration order. Not thread-safe: one instance per {@code Tools.from} call.
 */
final class Schemas {
    /** One parameter: its property name, the type its value has, whether the model must pass it. */
    record Property(String name, Type type, boolean required, String description) {}

    private final SchemaGenerator generator;

    Schemas() {
        var config = new SchemaGeneratorConfigBuilder(Json.MAPPER, SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonSchemaModule(JacksonOption.FLATTENED_ENUMS_FROM_JSONVALUE,
                        JacksonOption.FLATTENED_ENUMS_FROM_JSONPROPERTY))
                .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT, Option.FLATTENED_OPTIONALS,
                        Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES, Option.PLAIN_DEFINITION_KEYS);
        config.forTypesInGeneral()
                .withPropertySorter((a, b) -> 0)
                .withCustomDefinitionProvider(Schemas::custom);
        config.forFields().withRequiredCheck(f -> !mayBeAbsent(f)).withNullableCheck(Schemas::mayBeAbsent);
        this.generator = new SchemaGenerator(config.build());
    }

    /** The schema of the arguments object with {@code properties}. */
    JsonObject arguments(List<Property> properties) {
        SchemaBuilder builder = generator.buildMultipleSchemaDefinitions();
        var schemas = new ArrayList<ObjectNode>(properties.size());
        for (Property p : properties) {
            schemas.add(builder.createSchemaReference(p.type()));
        }
        ObjectNode definitions = builder.collectDefinitions("$defs");
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("type", "object");
        ObjectNode members = root.putObject("properties");
        ArrayNode required = Json.MAPPER.createArrayNode();
        for (int i = 0; i < properties.size(); i++) {
            Property p = properties.get(i);
            ObjectNode schema = schemas.get(i).deepCopy();
            if (p.required()) {
                required.add(p.name());
            } else {
                schema = nullable(schema);
            }
            if (!p.description().isEmpty()) {
                schema.put("description", p.description());
            }
            members.set(p.name(), schema);
        }
        if (!required.isEmpty()) {
            root.set("required", required);
        }
        root.put("additionalProperties", false);
        if (!definitions.isEmpty()) {
            root.set("$defs", definitions);
        }
        return JsonValue.parse(root.toString()).asObject();
    }

    /** {@code schema} or {@code null}: a {@code null} type added, or else an {@code anyOf}. */
    private static ObjectNode nullable(ObjectNode schema) {
        JsonNode type = schema.get("type");
        boolean restricted = schema.has("enum") || schema.has("const");
        if (type != null && type.isString() && !restricted) {
            ArrayNode types = Json.MAPPER.createArrayNode().add(type.stringValue()).add("null");
            schema.set("type", types);
            return schema;
        }
        if (type instanceof ArrayNode types && !restricted) {
            for (JsonNode t : types) {
                if ("null".equals(t.stringValue())) {
                    return schema;
                }
            }
            types.add("null");
            return schema;
        }
        ObjectNode either = Json.MAPPER.createObjectNode();
        either.putArray("anyOf").add(schema).add(Json.MAPPER.createObjectNode().put("type", "null"));
        return either;
    }

    /** Whether a record component or field may be left out: an optional or {@code @Nullable}, never a primitive. */
    private static boolean mayBeAbsent(FieldScope field) {
        Class<?> type = field.getType().getErasedType();
        if (type.isPrimitive()) {
            return false;
        }
        if (type == Optional.class || type == OptionalInt.class || type == OptionalLong.class
                || type == OptionalDouble.class) {
            return true;
        }
        return isNullable(field.getRawMember().getAnnotatedType().getAnnotations())
                || isNullable(field.getRawMember().getAnnotations());
    }

    /** JSpecify's, or any other annotation named {@code Nullable} (javax, jakarta, JetBrains...). */
    static boolean isNullable(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a.annotationType().getSimpleName().equals("Nullable")) {
                return true;
            }
        }
        return false;
    }

    /** The core's JSON values, and the primitive optionals victools would describe as objects. */
    private static @Nullable CustomDefinition custom(ResolvedType type, SchemaGenerationContext context) {
        Class<?> c = type.getErasedType();
        String jsonType;
        if (c == JsonObject.class) {
            jsonType = "object";
        } else if (c == JsonArray.class) {
            jsonType = "array";
        } else if (c == OptionalInt.class || c == OptionalLong.class) {
            jsonType = "integer";
        } else if (c == OptionalDouble.class) {
            jsonType = "number";
        } else if (c == JsonValue.class) {
            jsonType = null;
        } else {
            return null;
        }
        ObjectNode schema = Json.MAPPER.createObjectNode();
        if (jsonType != null) {
            schema.put("type", jsonType);
        }
        return new CustomDefinition(schema, CustomDefinition.INLINE_DEFINITION, CustomDefinition.EXCLUDING_ATTRIBUTES);
    }
}
