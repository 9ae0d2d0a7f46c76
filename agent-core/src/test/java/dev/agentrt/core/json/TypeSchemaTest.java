package dev.agentrt.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.agentrt.core.internal.binding.Json;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

class TypeSchemaTest {
    /** The one mapper that binds what the schemas describe, for structured output and tools alike. */
    private static final JsonMapper MAPPER = Json.MAPPER;

    /** OpenAI's strict mode: these keywords, and of the formats only those it lists. */
    private static final Set<String> STRICT_KEYWORDS = Set.of("type", "properties", "required",
            "additionalProperties", "items", "enum", "anyOf", "$defs", "$ref", "description", "format");

    // --------------------------------------------------------------------------------------------
    // Records used by the tests

    enum Status {
        DRAFT, @JsonProperty("paid")
        PAID
    }

    @JsonClassDescription("A customer")
    record Customer(String name, @JsonPropertyDescription("Contact e-mail") @Nullable String email) {}

    record Line(String product, int quantity, double price) {}

    @JsonClassDescription("An invoice to pay")
    record Invoice(
            @JsonProperty("invoice_number") @JsonPropertyDescription("As printed on the invoice") String number,
            LocalDate issued,
            Customer customer,
            List<Line> lines,
            Status status,
            boolean paid,
            Optional<String> note,
            @Nullable Integer discountPercent,
            @JsonPropertyDescription("Who approved it") Optional<Customer> approver) {}

    record Node(String name, List<Node> children) {}

    record Department(String name, List<Employee> staff) {}

    record Employee(String name, @Nullable Department manages) {}

    record Company(String name, Department head, List<Line> products) {}

    record Unit(String name, List<Unit> units) {}

    record Organisation(@JsonPropertyDescription("The top unit") Unit top,
            @JsonPropertyDescription("The unit being reorganised") @Nullable Unit pending) {}

    record Category(String name, @JsonPropertyDescription("The parent category") @Nullable Category parent) {}

    record Page<T>(List<T> items, int total) {}

    record Tree<T>(T value, List<Tree<T>> children) {}

    record Expanding<T>(T value, @Nullable Expanding<List<T>> deeper) {}

    static final class First {
        record Node(String a, List<Node> next) {}
    }

    static final class Second {
        record Node(String b, @Nullable Node next) {}
    }

    record BothNodes(First.Node first, Second.Node second) {}

    enum Size {
        SMALL, LARGE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Scalars(byte b, short s, int i, long l, Byte bw, Short sw, Integer iw, Long lw, BigInteger big, Year year,
            float f, double d, Float fw, Double dw, BigDecimal decimal, boolean z, Boolean zw, char c, Character cw,
            char[] chars, String string, CharSequence text, UUID id, URI uri, LocalDate date, Instant instant,
            OffsetDateTime offset, ZonedDateTime zoned, Duration duration, Size size) {}

    record Containers(List<@Nullable String> tags, String @Nullable [] extra, int[] numbers,
            Optional<List<Integer>> counts, Set<List<String>> groups, TreeSet<Long> sorted, OptionalInt n,
            OptionalDouble x, List<? extends Line> lines, @Nullable Status status) {}

    record WithMap(String name, Map<String, String> extras) {}

    record Anything(Object product) {}

    record Order(List<Anything> lines) {}

    @SuppressWarnings("rawtypes")
    record WithRawList(List tags) {}

    record WithInterface(Runnable task) {}

    record WithAbstractClass(Number amount) {}

    static final class Plain {
        public String name = "";
    }

    static final class NoDefaultConstructor {
        public final String name;

        NoDefaultConstructor(String name) {
            this.name = name;
        }
    }

    record WithNoDefaultConstructor(NoDefaultConstructor value) {}

    record WithJson(JsonValue data) {}

    record WithWildcard(List<?> items) {}

    record WithDuplicateName(@JsonProperty("x") String a, String x) {}

    // --------------------------------------------------------------------------------------------
    // The API

    @Test
    void documentedExampleBehavesAsDocumented() {
        record Line(String product, int quantity, BigDecimal price) {}
        record Invoice(String number, LocalDate issued, List<Line> lines, @Nullable String note) {}

        JsonObject schema = TypeSchema.of(Invoice.class);

        assertThat(schema.toJson()).startsWith("""
                {"type":"object","properties":{"number":{"type":"string"},"issued":{"type":"string","format":"date"},\
                "lines":{"type":"array","items":{"type":"object","properties":{""").endsWith("""
                "note":{"type":["string","null"]}},"required":["number","issued","lines","note"],\
                "additionalProperties":false}""");
    }

    @Test
    void representativeRecordHasTheExpectedSchema() {
        String customer = """
                {"type": "object",
                 "properties": {"name": {"type": "string"},
                                "email": {"type": ["string", "null"], "description": "Contact e-mail"}},
                 "required": ["name", "email"],
                 "additionalProperties": false,
                 "description": "A customer"}""";
        JsonValue expected = JsonValue.parse("""
                {"type": "object",
                 "properties": {
                   "invoice_number": {"type": "string", "description": "As printed on the invoice"},
                   "issued": {"type": "string", "format": "date"},
                   "customer": %s,
                   "lines": {"type": "array",
                             "items": {"type": "object",
                                       "properties": {"product": {"type": "string"},
                                                      "quantity": {"type": "integer"},
                                                      "price": {"type": "number"}},
                                       "required": ["product", "quantity", "price"],
                                       "additionalProperties": false}},
                   "status": {"type": "string", "enum": ["DRAFT", "paid"]},
                   "paid": {"type": "boolean"},
                   "note": {"type": ["string", "null"]},
                   "discountPercent": {"type": ["integer", "null"]},
                   "approver": {"anyOf": [%s, {"type": "null"}], "description": "Who approved it"}},
                 "required": ["invoice_number", "issued", "customer", "lines", "status", "paid", "note",
                              "discountPercent", "approver"],
                 "additionalProperties": false,
                 "description": "An invoice to pay"}
                """.formatted(customer, customer));

        JsonObject schema = TypeSchema.of(Invoice.class);

        assertThat(schema).isEqualTo(expected);
        assertThat(schema.toJson()).as("member order").isEqualTo(expected.toJson());
    }

    @Test
    void sameTypeGivesTheSameJsonText() {
        Type page = new TypeReference<Page<Invoice>>() {}.getType();

        assertThat(TypeSchema.of(Invoice.class)).isSameAs(TypeSchema.of(Invoice.class));
        assertThat(TypeSchema.of(page).toJson()).isEqualTo(TypeSchema.of(page).toJson());
        assertThat(TypeSchema.of(BothNodes.class).toJson())
                .isEqualTo(TypeSchema.of(new TypeReference<BothNodes>() {}.getType()).toJson());
    }

    @Test
    void generatesFromManyThreadsAtOnce() throws Exception {
        Type tree = new TypeReference<Tree<Invoice>>() {}.getType();
        String expected = TypeSchema.of(tree).toJson();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            var results = new ArrayList<Future<Boolean>>();
            for (int t = 0; t < 8; t++) {
                Callable<Boolean> task = () -> {
                    for (int i = 0; i < 200; i++) {
                        if (!TypeSchema.of(tree).toJson().equals(expected)
                                || !TypeSchema.of(Company.class).equals(TypeSchema.of(Company.class))) {
                            return false;
                        }
                    }
                    return true;
                };
                results.add(pool.submit(task));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everySchemaIsStrict() {
        List<Type> types = List.of(Invoice.class, Scalars.class, Containers.class, Node.class, Department.class,
                Company.class, Organisation.class, Category.class, BothNodes.class,
                new TypeReference<Page<Invoice>>() {}.getType(), new TypeReference<Tree<Line>>() {}.getType());

        for (Type type : types) {
            JsonObject schema = TypeSchema.of(type);

            assertThat(schema.getString("type")).as(type.getTypeName()).contains("object");
            assertStrict(schema, type.getTypeName());
            JsonSchema.compile(schema);
        }
    }

    // --------------------------------------------------------------------------------------------
    // Mapping

    @Nested
    class Mapping {
        @Test
        void mapsScalarTypes() {
            JsonObject properties = properties(TypeSchema.of(Scalars.class));

            var types = new LinkedHashMap<String, String>();
            properties.members().forEach((name, schema) -> types.put(name, schema.asObject().get("type").toJson()));
            assertThat(types).containsExactly(Map.entry("b", "\"integer\""), Map.entry("s", "\"integer\""),
                    Map.entry("i", "\"integer\""), Map.entry("l", "\"integer\""), Map.entry("bw", "\"integer\""),
                    Map.entry("sw", "\"integer\""), Map.entry("iw", "\"integer\""), Map.entry("lw", "\"integer\""),
                    Map.entry("big", "\"integer\""), Map.entry("year", "\"integer\""), Map.entry("f", "\"number\""),
                    Map.entry("d", "\"number\""), Map.entry("fw", "\"number\""), Map.entry("dw", "\"number\""),
                    Map.entry("decimal", "\"number\""), Map.entry("z", "\"boolean\""),
                    Map.entry("zw", "\"boolean\""), Map.entry("c", "\"string\""), Map.entry("cw", "\"string\""),
                    Map.entry("chars", "\"string\""), Map.entry("string", "\"string\""),
                    Map.entry("text", "\"string\""), Map.entry("id", "\"string\""), Map.entry("uri", "\"string\""),
                    Map.entry("date", "\"string\""), Map.entry("instant", "\"string\""),
                    Map.entry("offset", "\"string\""), Map.entry("zoned", "\"string\""),
                    Map.entry("duration", "\"string\""), Map.entry("size", "\"string\""));
        }

        @Test
        void scalarValuesMatchingTheSchemaAreReadByJackson() {
            JsonValue json = JsonValue.parse("""
                    {"b": 1, "s": 2, "i": 3, "l": 4, "bw": 5, "sw": 6, "iw": 7, "lw": 8,
                     "big": 123456789012345678901234567890, "year": 2024, "f": 1.5, "d": 2.5, "fw": 3.5, "dw": 4,
                     "decimal": 0.1, "z": true, "zw": false, "c": "x", "cw": "y", "chars": "abc", "string": "s",
                     "text": "t", "id": "123e4567-e89b-12d3-a456-426614174000", "uri": "https://example.org/a",
                     "date": "2024-01-02", "instant": "2024-01-02T10:15:30Z",
                     "offset": "2024-01-02T10:15:30+01:00", "zoned": "2024-01-02T10:15:30Z",
                     "duration": "PT1H30M", "size": "LARGE"}
                    """);

            assertThat(JsonSchema.compile(TypeSchema.of(Scalars.class)).validate(json)).isEmpty();
            Scalars scalars = MAPPER.readValue(json.toJson(), Scalars.class);

            assertThat(scalars.big()).isEqualTo(new BigInteger("123456789012345678901234567890"));
            assertThat(scalars.year()).isEqualTo(Year.of(2024));
            assertThat(new String(scalars.chars())).isEqualTo("abc");
            assertThat(scalars.duration()).isEqualTo(Duration.ofMinutes(90));
            assertThat(scalars.size()).isEqualTo(Size.LARGE);
        }

        @Test
        void enumValuesAreTheNamesOrTheirJsonPropertyNeverToString() {
            JsonObject size = properties(TypeSchema.of(Scalars.class)).getObject("size").orElseThrow();

            assertThat(size).isEqualTo(JsonValue.parse("{\"type\": \"string\", \"enum\": [\"SMALL\", \"LARGE\"]}"));
            assertThat(MAPPER.readValue("\"SMALL\"", Size.class)).isEqualTo(Size.SMALL);
            assertThatThrownBy(() -> MAPPER.readValue("\"small\"", Size.class))
                    .as("toString() is not a value the schema lists")
                    .isInstanceOf(tools.jackson.core.JacksonException.class);
            assertThat(MAPPER.readValue("\"paid\"", Status.class)).isEqualTo(Status.PAID);
            assertThat(MAPPER.writeValueAsString(Size.LARGE)).isEqualTo("\"LARGE\"");
        }

        @Test
        void javaTimeValuesCarryTheirStandardFormat() {
            JsonObject properties = properties(TypeSchema.of(Scalars.class));

            assertThat(properties.get("date"))
                    .isEqualTo(JsonValue.parse("{\"type\": \"string\", \"format\": \"date\"}"));
            assertThat(properties.get("instant"))
                    .isEqualTo(JsonValue.parse("{\"type\": \"string\", \"format\": \"date-time\"}"));
            assertThat(properties.get("offset")).isEqualTo(properties.get("instant"));
            assertThat(properties.get("zoned")).isEqualTo(properties.get("instant"));
            assertThat(properties.get("duration"))
                    .isEqualTo(JsonValue.parse("{\"type\": \"string\", \"format\": \"duration\"}"));
            assertThat(properties.get("id")).isEqualTo(JsonValue.parse("{\"type\": \"string\", \"format\": \"uuid\"}"));
            assertThat(properties.get("uri")).as("no format outside OpenAI's list")
                    .isEqualTo(JsonValue.parse("{\"type\": \"string\"}"));
        }

        @Test
        void mapsContainersAndNullableElements() {
            JsonObject properties = properties(TypeSchema.of(Containers.class));

            assertThat(properties.get("tags"))
                    .isEqualTo(JsonValue.parse("{\"type\": \"array\", \"items\": {\"type\": [\"string\", \"null\"]}}"));
            assertThat(properties.get("extra"))
                    .isEqualTo(JsonValue.parse("{\"type\": [\"array\", \"null\"], \"items\": {\"type\": \"string\"}}"));
            assertThat(properties.get("numbers"))
                    .isEqualTo(JsonValue.parse("{\"type\": \"array\", \"items\": {\"type\": \"integer\"}}"));
            assertThat(properties.get("counts")).isEqualTo(
                    JsonValue.parse("{\"type\": [\"array\", \"null\"], \"items\": {\"type\": \"integer\"}}"));
            assertThat(properties.get("groups")).isEqualTo(JsonValue.parse("""
                    {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}"""));
            assertThat(properties.get("sorted"))
                    .isEqualTo(JsonValue.parse("{\"type\": \"array\", \"items\": {\"type\": \"integer\"}}"));
            assertThat(properties.get("n")).isEqualTo(JsonValue.parse("{\"type\": [\"integer\", \"null\"]}"));
            assertThat(properties.get("x")).isEqualTo(JsonValue.parse("{\"type\": [\"number\", \"null\"]}"));
            assertThat(properties.get("lines").asObject().getObject("items").orElseThrow())
                    .isEqualTo(TypeSchema.of(Line.class));
            assertThat(properties.get("status")).isEqualTo(JsonValue.parse("""
                    {"anyOf": [{"type": "string", "enum": ["DRAFT", "paid"]}, {"type": "null"}]}"""));
        }

        @Test
        void containerValuesMatchingTheSchemaAreReadByJackson() {
            JsonValue json = JsonValue.parse("""
                    {"tags": ["a", null], "extra": null, "numbers": [1, 2], "counts": [3], "groups": [["x", "y"]],
                     "sorted": [9, 7], "n": null, "x": 0.5, "lines": [{"product": "p", "quantity": 1, "price": 2.0}],
                     "status": null}
                    """);

            assertThat(JsonSchema.compile(TypeSchema.of(Containers.class)).validate(json)).isEmpty();
            Containers containers = MAPPER.readValue(json.toJson(), Containers.class);

            assertThat(containers.tags()).containsExactly("a", null);
            assertThat(containers.extra()).isNull();
            assertThat(containers.counts()).contains(List.of(3));
            assertThat(containers.sorted()).containsExactly(7L, 9L);
            assertThat(containers.n()).isEmpty();
            assertThat(containers.x()).hasValue(0.5);
        }
    }

    // --------------------------------------------------------------------------------------------
    // Round trips

    @Nested
    class RoundTrip {
        private final JsonSchema schema = JsonSchema.compile(TypeSchema.of(Invoice.class));

        private final JsonObject valid = JsonValue.parse("""
                {"invoice_number": "2024-001",
                 "issued": "2024-03-01",
                 "customer": {"name": "ACME", "email": null},
                 "lines": [{"product": "bolt", "quantity": 100, "price": 0.25},
                           {"product": "nut", "quantity": 50, "price": 0.1}],
                 "status": "paid",
                 "paid": true,
                 "note": null,
                 "discountPercent": 5,
                 "approver": {"name": "Bob", "email": "bob@example.org"}}
                """).asObject();

        @Test
        void validJsonPassesTheSchemaAndIsReadIntoTheRecord() {
            Invoice expected = new Invoice("2024-001", LocalDate.of(2024, 3, 1), new Customer("ACME", null),
                    List.of(new Line("bolt", 100, 0.25), new Line("nut", 50, 0.1)), Status.PAID, true,
                    Optional.empty(), 5, Optional.of(new Customer("Bob", "bob@example.org")));

            assertThat(schema.validate(valid)).isEmpty();
            assertThat(MAPPER.readValue(valid.toJson(), Invoice.class)).isEqualTo(expected);
        }

        @Test
        void missingPropertyIsAViolation() {
            assertThat(schema.validate(without(valid, "note")))
                    .containsExactly("$: missing required property \"note\"");
        }

        @Test
        void wrongTypeIsAViolation() {
            assertThat(schema.validate(with(valid, "paid", JsonValue.of("yes")))).hasSize(1);
            assertThat(schema.validate(with(valid, "lines", JsonValue.parse("[{\"product\": \"x\"}]")))).isNotEmpty();
        }

        @Test
        void extraPropertyIsAViolation() {
            assertThat(schema.validate(with(valid, "currency", JsonValue.of("EUR")))).hasSize(1);
            JsonObject customer = with(valid.getObject("customer").orElseThrow(), "vip", JsonValue.of(true));
            assertThat(schema.validate(with(valid, "customer", customer))).hasSize(1);
        }

        @Test
        void valueOutsideTheEnumIsAViolation() {
            assertThat(schema.validate(with(valid, "status", JsonValue.of("PAID")))).hasSize(1);
            assertThat(schema.validate(with(valid, "status", JsonValue.nullValue()))).hasSize(1);
        }
    }

    // --------------------------------------------------------------------------------------------
    // Recursion and generics

    @Nested
    class Recursion {
        @Test
        void recursiveRecordIsDefinedOnceAndReferred() {
            String node = """
                    {"type": "object",
                     "properties": {"name": {"type": "string"},
                                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                     "required": ["name", "children"],
                     "additionalProperties": false}""";
            JsonValue expected = JsonValue.parse("""
                    {"type": "object",
                     "properties": {"name": {"type": "string"},
                                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                     "required": ["name", "children"],
                     "additionalProperties": false,
                     "$defs": {"Node": %s}}
                    """.formatted(node));

            assertThat(TypeSchema.of(Node.class)).isEqualTo(expected);
        }

        @Test
        void recursiveSchemaValidatesATreeThatJacksonReads() {
            JsonSchema schema = JsonSchema.compile(TypeSchema.of(Node.class));
            JsonValue tree = JsonValue.parse("""
                    {"name": "root", "children": [
                      {"name": "a", "children": [{"name": "a1", "children": []}, {"name": "a2", "children": []}]},
                      {"name": "b", "children": []}]}
                    """);

            assertThat(schema.validate(tree)).isEmpty();
            assertThat(MAPPER.readValue(tree.toJson(), Node.class).children().get(0).children().get(1).name())
                    .isEqualTo("a2");
            assertThat(schema.validate(JsonValue.parse("""
                    {"name": "root", "children": [{"name": "a", "children": [{"children": []}]}]}
                    """))).containsExactly("$.children[0].children[0]: missing required property \"name\"");
        }

        @Test
        void mutuallyRecursiveRecordsAreBothDefined() {
            JsonObject schema = TypeSchema.of(Department.class);

            assertThat(schema.getObject("$defs").orElseThrow().members()).containsOnlyKeys("Department", "Employee");
            assertThat(properties(schema).getObject("staff").orElseThrow().get("items"))
                    .isEqualTo(JsonValue.parse("{\"$ref\": \"#/$defs/Employee\"}"));
            assertThat(properties(definition(schema, "Employee")).get("manages"))
                    .isEqualTo(
                            JsonValue.parse("{\"anyOf\": [{\"$ref\": \"#/$defs/Department\"}, {\"type\": \"null\"}]}"));
            assertThat(JsonSchema.compile(schema).validate(JsonValue.parse("""
                    {"name": "R&D", "staff": [{"name": "Ann", "manages": {"name": "Labs", "staff": []}},
                                              {"name": "Bo", "manages": null}]}
                    """))).isEmpty();
            assertThat(JsonSchema.compile(schema).validate(JsonValue.parse("""
                    {"name": "R&D", "staff": [{"name": "Ann", "manages": {"name": "Labs", "staff": [{"name": 1,
                     "manages": null}]}}]}
                    """))).hasSize(1);
        }

        @Test
        void onlyRecordsInACycleGoToDefinitions() {
            JsonObject schema = TypeSchema.of(Company.class);

            assertThat(schema.getObject("$defs").orElseThrow().members()).containsOnlyKeys("Department", "Employee");
            assertThat(properties(schema).get("head")).isEqualTo(JsonValue.parse("{\"$ref\": \"#/$defs/Department\"}"));
            assertThat(properties(schema).getObject("products").orElseThrow().get("items"))
                    .isEqualTo(TypeSchema.of(Line.class));
        }

        @Test
        void describedReferenceIsACopyOfTheDefinitionWithTheDescription() {
            JsonObject schema = TypeSchema.of(Organisation.class);
            JsonObject unit = definition(schema, "Unit");

            assertThat(properties(schema).get("top"))
                    .isEqualTo(JsonObject.builder().putAll(unit).put("description", "The top unit").build());
            assertThat(properties(schema).get("pending")).isEqualTo(JsonValue.parse("""
                    {"anyOf": [{"$ref": "#/$defs/Unit"}, {"type": "null"}],
                     "description": "The unit being reorganised"}"""));
            assertThat(properties(TypeSchema.of(Category.class)).get("parent")).isEqualTo(JsonValue.parse("""
                    {"anyOf": [{"$ref": "#/$defs/Category"}, {"type": "null"}],
                     "description": "The parent category"}"""));
        }

        @Test
        void clashingDefinitionNamesGetASuffix() {
            JsonObject schema = TypeSchema.of(BothNodes.class);

            assertThat(schema.getObject("$defs").orElseThrow().members()).containsOnlyKeys("Node", "Node_2");
            assertThat(properties(definition(schema, "Node_2")).get("next"))
                    .isEqualTo(JsonValue.parse("{\"anyOf\": [{\"$ref\": \"#/$defs/Node_2\"}, {\"type\": \"null\"}]}"));
            assertThat(JsonSchema.compile(schema).validate(JsonValue.parse("""
                    {"first": {"a": "x", "next": [{"a": "y", "next": []}]},
                     "second": {"b": "x", "next": {"b": "y", "next": null}}}
                    """))).isEmpty();
        }
    }

    @Nested
    class Generics {
        @Test
        void genericRecordIsResolvedThroughItsTypeArguments() {
            JsonObject schema = TypeSchema.of(new TypeReference<Page<Line>>() {}.getType());

            assertThat(schema).isEqualTo(JsonValue.parse("""
                    {"type": "object",
                     "properties": {"items": {"type": "array", "items": %s},
                                    "total": {"type": "integer"}},
                     "required": ["items", "total"],
                     "additionalProperties": false}
                    """.formatted(TypeSchema.of(Line.class).toJson())));
        }

        @Test
        void genericRecordsNestAndJacksonReadsThem() {
            TypeReference<Page<Page<Line>>> type = new TypeReference<>() {};
            JsonValue json = JsonValue.parse("""
                    {"items": [{"items": [{"product": "p", "quantity": 1, "price": 1.5}], "total": 1}], "total": 1}
                    """);

            assertThat(JsonSchema.compile(TypeSchema.of(type.getType())).validate(json)).isEmpty();
            assertThat(MAPPER.readValue(json.toJson(), type))
                    .isEqualTo(new Page<>(List.of(new Page<>(List.of(new Line("p", 1, 1.5)), 1)), 1));
        }

        @Test
        void recursiveGenericRecordIsDefinedPerTypeArgument() {
            JsonObject schema = TypeSchema.of(new TypeReference<Tree<String>>() {}.getType());

            assertThat(properties(schema).get("value")).isEqualTo(JsonValue.parse("{\"type\": \"string\"}"));
            assertThat(properties(definition(schema, "Tree")).get("value"))
                    .isEqualTo(JsonValue.parse("{\"type\": \"string\"}"));
            assertThat(JsonSchema.compile(schema).validate(JsonValue.parse("""
                    {"value": "a", "children": [{"value": "b", "children": [{"value": "c", "children": []}]}]}
                    """))).isEmpty();
        }

        @Test
        void genericRecordWithoutTypeArgumentsIsRejected() {
            assertThatThrownBy(() -> TypeSchema.of(Page.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Page.items[]: T is not supported: the type variable has no concrete type");
        }

        @Test
        void genericRecordThatExpandsWithoutEndIsRejected() {
            assertThatThrownBy(() -> TypeSchema.of(new TypeReference<Expanding<String>>() {}.getType()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Expanding.deeper.deeper.deeper.")
                    .hasMessageContaining("records nest more than 64 levels deep");
        }
    }

    // --------------------------------------------------------------------------------------------
    // Lenient mode (tool arguments) and the types only it admits

    /** A declaration annotation named like JSpecify's, as jakarta's and JetBrains' are. */
    static final class Declared {
        @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
        @interface Nullable {
        }
    }

    record Settings(String name, @Declared.Nullable String owner, Map<String, Integer> limits,
            Optional<Map<String, Line>> lines, JsonValue extra, JsonObject meta, @Nullable JsonArray tags) {}

    /** A class Jackson fills through a public field, a setter, and a private field with a public getter. */
    public static final class Bean {
        @JsonPropertyDescription("The bean's name")
        public String name = "";
        private int size;
        private @Nullable String colour;
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String ignored = "";

        public int getSize() {
            return size;
        }

        public void setSize(int size) {
            this.size = size;
        }

        public @Nullable String colour() {
            return colour;
        }

        public void setColour(@Nullable String colour) {
            this.colour = colour;
        }
    }

    record WithBean(Bean bean) {}

    record WithNumberKeys(Map<Integer, String> byId) {}

    @Nested
    class Lenient {
        private final JsonObject settings = TypeSchema.of(Settings.class, TypeSchema.Mode.LENIENT);

        @Test
        void optionalAndNullablePropertiesAreNotRequiredButAdmitNull() {
            JsonObject invoice = TypeSchema.of(Invoice.class, TypeSchema.Mode.LENIENT);

            assertThat(invoice.get("required")).isEqualTo(JsonValue.parse("""
                    ["invoice_number", "issued", "customer", "lines", "status", "paid"]"""));
            assertThat(properties(invoice).get("note"))
                    .isEqualTo(JsonValue.parse("{\"type\": [\"string\", \"null\"]}"));
            assertThat(properties(invoice).getObject("customer").orElseThrow().get("required"))
                    .isEqualTo(JsonValue.parse("[\"name\"]"));
            assertThat(TypeSchema.of(Invoice.class, TypeSchema.Mode.LENIENT))
                    .isSameAs(TypeSchema.of(Invoice.class, TypeSchema.Mode.LENIENT));
        }

        @Test
        void strictAndLenientDifferOnlyInWhatIsRequired() {
            JsonObject strict = TypeSchema.of(Invoice.class);
            JsonObject lenient = TypeSchema.of(Invoice.class, TypeSchema.Mode.LENIENT);

            assertThat(withoutRequired(lenient)).isEqualTo(withoutRequired(strict));
            assertThat(TypeSchema.of(Line.class, TypeSchema.Mode.LENIENT)).isEqualTo(TypeSchema.of(Line.class));
        }

        @Test
        void aDeclarationAnnotationNamedNullableMakesAPropertyOptionalInBothModes() {
            assertThat(properties(settings).get("owner"))
                    .isEqualTo(JsonValue.parse("{\"type\": [\"string\", \"null\"]}"));
            assertThat(settings.getArray("required").orElseThrow().items()).doesNotContain(JsonValue.of("owner"));
        }

        @Test
        void mapWithStringKeysIsAnObjectOfItsValues() {
            assertThat(properties(settings).get("limits")).isEqualTo(JsonValue.parse("""
                    {"type": "object", "additionalProperties": {"type": "integer"}}"""));
            assertThat(properties(settings).get("lines")).isEqualTo(JsonValue.parse("""
                    {"type": ["object", "null"], "additionalProperties": %s}""".formatted(
                    TypeSchema.of(Line.class).toJson())));
        }

        @Test
        void jsonValuesAdmitAnyJsonAnyObjectOrAnyArray() {
            assertThat(properties(settings).get("extra")).isEqualTo(JsonObject.EMPTY);
            assertThat(properties(settings).get("meta")).isEqualTo(JsonValue.parse("{\"type\": \"object\"}"));
            assertThat(properties(settings).get("tags"))
                    .isEqualTo(JsonValue.parse("{\"type\": [\"array\", \"null\"]}"));
            assertThat(settings.get("required"))
                    .isEqualTo(JsonValue.parse("[\"name\", \"limits\", \"extra\", \"meta\"]"));
        }

        @Test
        void jsonValidAgainstTheSchemaIsReadByTheMapper() {
            JsonValue json = JsonValue.parse("""
                    {"name": "n", "limits": {"a": 1, "b": 2}, "lines": {"x": {"product": "p", "quantity": 1,
                     "price": 2.5}}, "extra": [1, "two", null], "meta": {"k": true}}
                    """);

            assertThat(JsonSchema.compile(settings).validate(json)).isEmpty();
            assertThat(JsonSchema.compile(settings).validate(JsonValue.parse("""
                    {"name": "n", "limits": {"a": "one"}, "extra": 1, "meta": {}}"""))).hasSize(1);
            Settings read = MAPPER.readValue(json.toJson(), Settings.class);

            assertThat(read.owner()).isNull();
            assertThat(read.limits()).containsExactly(Map.entry("a", 1), Map.entry("b", 2));
            assertThat(read.lines()).contains(Map.of("x", new Line("p", 1, 2.5)));
            assertThat(read.extra()).isEqualTo(JsonValue.parse("[1, \"two\", null]"));
            assertThat(read.meta()).isEqualTo(JsonValue.parse("{\"k\": true}"));
            assertThat(read.tags()).isNull();
        }

        @Test
        void mapWithKeysOtherThanStringsIsRejected() {
            assertThatThrownBy(() -> TypeSchema.of(WithNumberKeys.class, TypeSchema.Mode.LENIENT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("WithNumberKeys.byId: java.util.Map<java.lang.Integer, java.lang.String>"
                            + " is not supported: a map's keys become JSON property names");
        }

        @Test
        void objectIsRejectedInBothModes() {
            assertThatThrownBy(() -> TypeSchema.of(Order.class, TypeSchema.Mode.LENIENT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Order.lines[].product: java.lang.Object is not supported")
                    .hasMessageContaining("or JsonValue");
        }
    }

    @Nested
    class Classes {
        @Test
        void classWithANoArgumentConstructorIsAnObjectOfWhatJacksonFills() {
            JsonObject bean = properties(TypeSchema.of(WithBean.class)).getObject("bean").orElseThrow();

            assertThat(bean).isEqualTo(JsonValue.parse("""
                    {"type": "object",
                     "properties": {"name": {"type": "string", "description": "The bean's name"},
                                    "size": {"type": "integer"},
                                    "colour": {"type": ["string", "null"]}},
                     "required": ["name", "size", "colour"],
                     "additionalProperties": false}"""));
            assertThat(properties(TypeSchema.of(Plain.class)).members()).containsOnlyKeys("name");
        }

        @Test
        void classValidAgainstTheSchemaIsReadByTheMapper() {
            JsonValue json = JsonValue.parse("{\"bean\": {\"name\": \"b\", \"size\": 3, \"colour\": null}}");

            assertThat(JsonSchema.compile(TypeSchema.of(WithBean.class)).validate(json)).isEmpty();
            Bean bean = MAPPER.readValue(json.toJson(), WithBean.class).bean();

            assertThat(bean.name).isEqualTo("b");
            assertThat(bean.getSize()).isEqualTo(3);
            assertThat(bean.colour()).isNull();
        }
    }

    // --------------------------------------------------------------------------------------------
    // Unsupported types

    @Nested
    class Unsupported {
        @Test
        void mapIsRejectedInStrictModeWithASuggestion() {
            assertRejected(WithMap.class, "WithMap.extras: java.util.Map<java.lang.String, java.lang.String> is not"
                    + " supported: strict structured output cannot describe maps", "use a List of records");
        }

        @Test
        void objectIsRejectedWithItsPath() {
            assertRejected(Order.class, "Order.lines[].product: java.lang.Object is not supported");
        }

        @Test
        void rawCollectionIsRejected() {
            assertRejected(WithRawList.class,
                    "WithRawList.tags: java.util.List is not supported: a raw List has no element type");
        }

        @Test
        void interfaceAndAbstractClassAreRejected() {
            assertRejected(WithInterface.class, "WithInterface.task: java.lang.Runnable is not supported:"
                    + " interfaces and abstract classes have no fixed properties");
            assertRejected(WithAbstractClass.class, "WithAbstractClass.amount: java.lang.Number is not supported:"
                    + " interfaces and abstract classes have no fixed properties");
        }

        @Test
        void classWithoutANoArgumentConstructorIsRejected() {
            assertRejected(WithNoDefaultConstructor.class, "WithNoDefaultConstructor.value: "
                    + NoDefaultConstructor.class.getName() + " is not supported: only records and classes with a"
                    + " no-argument constructor are supported as object types");
        }

        @Test
        void jsonValueIsRejectedInStrictMode() {
            assertRejected(WithJson.class, "WithJson.data: dev.agentrt.core.json.JsonValue is not supported",
                    "strict structured output cannot admit arbitrary JSON");
        }

        @Test
        void unboundedWildcardIsRejected() {
            assertRejected(WithWildcard.class, "WithWildcard.items[]: ? is not supported");
        }

        @Test
        void twoComponentsWithOneNameAreRejected() {
            assertRejected(WithDuplicateName.class, "WithDuplicateName.x: the property name \"x\" is used by two"
                    + " components");
        }

        @Test
        void rootThatIsNotARecordIsRejected() {
            String reason = " is not supported: structured output needs an object type such as a record";
            assertRejected(String.class, "java.lang.String" + reason);
            assertRejected(new TypeReference<List<String>>() {}.getType(), "java.util.List<java.lang.String>" + reason);
            assertRejected(new TypeReference<Optional<Line>>() {}.getType(), "java.util.Optional<");
            assertRejected(NoDefaultConstructor.class, NoDefaultConstructor.class.getName() + reason);
            assertRejected(Status.class, Status.class.getName() + reason);
            assertRejected(JsonObject.class, "dev.agentrt.core.json.JsonObject" + reason);
        }

        private static void assertRejected(Type type, String... messageParts) {
            assertThatThrownBy(() -> TypeSchema.of(type)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(messageParts[0])
                    .hasMessageContainingAll(messageParts);
        }
    }

    // --------------------------------------------------------------------------------------------

    /** Checks the rules of strict structured output everywhere in {@code schema}. */
    private static void assertStrict(JsonObject schema, String at) {
        assertThat(schema.members().keySet()).as(at).isSubsetOf(STRICT_KEYWORDS);
        if (schema.has("$ref")) {
            assertThat(schema.size()).as(at + ": $ref without siblings").isEqualTo(1);
        }
        if (JsonValue.of("object").equals(schema.get("type"))) {
            assertThat(schema.get("additionalProperties")).as(at).isEqualTo(JsonValue.of(false));
            List<String> required = schema.getArray("required")
                    .orElseThrow()
                    .items()
                    .stream()
                    .map(v -> ((JsonValue.JsonString) v).value())
                    .toList();
            assertThat(required).as(at + ": required").containsExactlyElementsOf(properties(schema).members().keySet());
        }
        properties(schema).members().forEach((name, value) -> assertStrict(value.asObject(), at + "." + name));
        schema.getObject("$defs")
                .ifPresent(defs -> defs.members()
                        .forEach((name, value) -> assertStrict(value.asObject(), at + "/$defs/" + name)));
        schema.getObject("items").ifPresent(items -> assertStrict(items, at + "[]"));
        schema.getArray("anyOf")
                .ifPresent(anyOf -> anyOf.items()
                        .forEach(value -> assertStrict(value.asObject(), at + "|")));
    }

    private static JsonObject withoutRequired(JsonObject schema) {
        var members = new LinkedHashMap<String, JsonValue>();
        schema.members().forEach((name, value) -> {
            if (!name.equals("required")) {
                members.put(name, withoutRequired(value));
            }
        });
        return new JsonObject(members);
    }

    private static JsonValue withoutRequired(JsonValue value) {
        return switch (value) {
            case JsonObject o -> withoutRequired(o);
            case JsonArray a -> new JsonArray(a.items().stream().map(TypeSchemaTest::withoutRequired).toList());
            default -> value;
        };
    }

    private static JsonObject properties(JsonObject schema) {
        return schema.getObject("properties").orElse(JsonObject.EMPTY);
    }

    private static JsonObject definition(JsonObject schema, String name) {
        return schema.getObject("$defs").orElseThrow().getObject(name).orElseThrow();
    }

    private static JsonObject with(JsonObject object, String name, JsonValue value) {
        return JsonObject.builder().putAll(object).put(name, value).build();
    }

    private static JsonObject without(JsonObject object, String name) {
        var members = new LinkedHashMap<>(object.members());
        members.remove(name);
        return new JsonObject(members);
    }
}
