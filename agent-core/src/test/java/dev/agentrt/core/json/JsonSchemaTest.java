package dev.agentrt.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

class JsonSchemaTest {
    private static final String TOOL_SCHEMA = """
            {"type": "object",
             "properties": {"path": {"type": "string"}, "lines": {"type": "integer", "minimum": 1}},
             "required": ["path"],
             "additionalProperties": false}
            """;

    private static final String TREE_SCHEMA = """
            {"$defs": {"node": {"type": "object",
                                "properties": {"value": {"type": "integer"},
                                               "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                                "required": ["value"],
                                "additionalProperties": false}},
             "$ref": "#/$defs/node"}
            """;

    private static final String NESTED_ARRAYS_SCHEMA = """
            {"type": "array", "items": {"$ref": "#"}}""";

    // --------------------------------------------------------------------------------------------
    // The API

    @Test
    void documentedExampleBehavesAsDocumented() {
        JsonSchema schema = JsonSchema.compile(JsonValue.parse(TOOL_SCHEMA).asObject());

        assertThat(schema.isValid(JsonValue.parse("{\"path\": \"src/Main.java\"}"))).isTrue();
        assertThat(schema.validate(JsonValue.parse("{\"lines\": 0}")))
                .containsExactly("$: missing required property \"path\"", "$.lines: expected a number >= 1, got 0");
    }

    @Test
    void validValueHasNoViolations() {
        List<String> violations = compile(TOOL_SCHEMA).validate(JsonValue.parse("{\"path\": \"a\", \"lines\": 3}"));

        assertThat(violations).isEmpty();
        assertThat(violations).isSameAs(List.of());
    }

    @Test
    void jsonReturnsTheOriginalSchema() {
        JsonObject json = JsonValue.parse(TOOL_SCHEMA).asObject();

        assertThat(JsonSchema.compile(json).json()).isSameAs(json);
    }

    @Test
    void schemasAreEqualWhenTheirJsonIsEqual() {
        JsonSchema a = compile(TOOL_SCHEMA);
        JsonSchema b = compile(TOOL_SCHEMA);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(compile("{\"type\": \"string\"}"));
        assertThat(a.toString()).startsWith("JsonSchema{").contains("\"required\":[\"path\"]");
    }

    @Test
    void anyAcceptsEveryValue() {
        JsonSchema any = JsonSchema.any();

        assertThat(any.json()).isEqualTo(JsonObject.EMPTY);
        for (String value : List.of("null", "true", "1", "1.5", "\"s\"", "[1, [2]]", "{\"a\": {}}")) {
            assertThat(any.validate(JsonValue.parse(value))).isEmpty();
        }
        assertThat(compile("{}")).isEqualTo(any);
    }

    @Test
    void oneSchemaValidatesFromManyThreadsAtOnce() throws Exception {
        JsonSchema schema = compile(TREE_SCHEMA);
        JsonValue valid = tree(6);
        JsonValue invalid = JsonValue.parse("{\"value\": 1, \"children\": [{\"value\": \"x\"}]}");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            var results = new ArrayList<Future<Boolean>>();
            for (int t = 0; t < 8; t++) {
                Callable<Boolean> task = () -> {
                    for (int i = 0; i < 500; i++) {
                        if (!schema.isValid(valid) || schema.validate(invalid).size() != 1) {
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
    void isValidOnAValidValueAllocatesAlmostNothing() {
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean);
        var allocation = (com.sun.management.ThreadMXBean) threads;
        assumeTrue(allocation.isThreadAllocatedMemorySupported() && allocation.isThreadAllocatedMemoryEnabled());
        JsonSchema schema = compile("""
                {"type": "object",
                 "properties": {"path": {"type": "string", "minLength": 1, "maxLength": 4096},
                                "mode": {"enum": ["read", "write"]},
                                "lines": {"type": "array", "items": {"type": "integer", "minimum": 1},
                                          "maxItems": 2},
                                "options": {"type": "object", "properties": {"recursive": {"type": "boolean"}},
                                            "additionalProperties": false}},
                 "required": ["path", "mode"],
                 "additionalProperties": false}
                """);
        JsonValue value = JsonValue.parse("""
                {"path": "src/Main.java", "mode": "read", "lines": [1, 20], "options": {"recursive": true}}
                """);
        for (int i = 0; i < 20_000; i++) {
            schema.isValid(value);
        }

        long thread = Thread.currentThread().threadId();
        long before = allocation.getThreadAllocatedBytes(thread);
        boolean valid = true;
        for (int i = 0; i < 10_000; i++) {
            valid &= schema.isValid(value);
        }
        long perCall = (allocation.getThreadAllocatedBytes(thread) - before) / 10_000;

        assertThat(valid).isTrue();
        assertThat(perCall).as("bytes allocated per isValid call").isLessThan(16);
    }

    // --------------------------------------------------------------------------------------------
    // Keywords

    @Nested
    class TypeKeyword {
        @Test
        void acceptsValuesOfTheDeclaredType() {
            assertValid("{\"type\": \"null\"}", "null");
            assertValid("{\"type\": \"boolean\"}", "false");
            assertValid("{\"type\": \"object\"}", "{}");
            assertValid("{\"type\": \"array\"}", "[]");
            assertValid("{\"type\": \"number\"}", "1.5");
            assertValid("{\"type\": \"number\"}", "2");
            assertValid("{\"type\": \"integer\"}", "-7");
            assertValid("{\"type\": \"string\"}", "\"\"");
        }

        @Test
        void rejectsValueOfAnotherTypeNamingBoth() {
            assertThat(violations("{\"properties\": {\"count\": {\"type\": \"integer\"}}}", "{\"count\": \"3\"}"))
                    .containsExactly("$.count: expected integer, got string \"3\"");
            assertThat(violations("{\"type\": \"object\"}", "[1]")).containsExactly("$: expected object, got array");
            assertThat(violations("{\"type\": \"string\"}", "null")).containsExactly("$: expected string, got null");
            assertThat(violations("{\"type\": \"string\"}", "true"))
                    .containsExactly("$: expected string, got boolean true");
        }

        @Test
        void countsWholeNumbersWrittenWithDecimalsAsIntegers() {
            assertValid("{\"type\": \"integer\"}", "1");
            assertValid("{\"type\": \"integer\"}", "1.0");
            assertValid("{\"type\": \"integer\"}", "1e2");
            assertValid("{\"type\": \"integer\"}", "0.0");
            assertThat(violations("{\"type\": \"integer\"}", "1.5"))
                    .containsExactly("$: expected integer, got number 1.5");
        }

        @Test
        void acceptsAnyOfSeveralTypes() {
            String schema = "{\"type\": [\"string\", \"null\"]}";

            assertValid(schema, "\"s\"");
            assertValid(schema, "null");
            assertThat(violations(schema, "5")).containsExactly("$: expected string or null, got integer 5");
            assertThat(violations("{\"type\": [\"string\", \"number\", \"null\"]}", "{}"))
                    .containsExactly("$: expected string, number or null, got object");
        }
    }

    @Nested
    class ObjectKeywords {
        @Test
        void rejectsMissingRequiredProperty() {
            assertThat(violations(TOOL_SCHEMA, "{}")).containsExactly("$: missing required property \"path\"");
        }

        @Test
        void appliesPropertySchemasOnlyToPresentProperties() {
            assertValid(TOOL_SCHEMA, "{\"path\": \"a\"}");
            assertThat(violations(TOOL_SCHEMA, "{\"path\": 1, \"lines\": 2.5}")).containsExactly(
                    "$.path: expected string, got integer 1", "$.lines: expected integer, got number 2.5");
        }

        @Test
        void rejectsUnexpectedPropertyListingTheAllowedOnes() {
            assertThat(violations(TOOL_SCHEMA, "{\"path\": \"a\", \"foo\": 1}"))
                    .containsExactly("$: unexpected property \"foo\" (allowed: path, lines)");
            assertThat(violations("{\"additionalProperties\": false}", "{\"a\": 1}"))
                    .containsExactly("$: unexpected property \"a\" (no properties are allowed)");
        }

        @Test
        void appliesAdditionalPropertiesSchemaToUndeclaredMembers() {
            String schema = """
                    {"properties": {"name": {"type": "string"}}, "additionalProperties": {"type": "integer"}}""";

            assertValid(schema, "{\"name\": \"n\", \"a\": 1, \"b\": 2}");
            assertThat(violations(schema, "{\"name\": \"n\", \"a\": 1, \"b\": \"x\"}"))
                    .containsExactly("$.b: expected integer, got string \"x\"");
        }

        @Test
        void appliesPatternPropertiesToMatchingNames() {
            String schema = """
                    {"properties": {"id": {"type": "integer"}},
                     "patternProperties": {"^x-": {"type": "string"}},
                     "additionalProperties": false}""";

            assertValid(schema, "{\"id\": 1, \"x-trace\": \"t\"}");
            assertThat(violations(schema, "{\"x-trace\": 5}"))
                    .containsExactly("$[\"x-trace\"]: expected string, got integer 5");
            assertThat(violations(schema, "{\"other\": 5}"))
                    .containsExactly("$: unexpected property \"other\" (allowed: id or names matching \"^x-\")");
        }

        @Test
        void patternPropertiesAlsoApplyToDeclaredNames() {
            String schema = """
                    {"properties": {"x-a": {"type": "string"}}, "patternProperties": {"^x-": {"minLength": 2}}}""";

            assertValid(schema, "{\"x-a\": \"ab\"}");
            assertThat(violations(schema, "{\"x-a\": \"a\"}"))
                    .containsExactly("$[\"x-a\"]: expected at least 2 characters, got 1");
        }

        @Test
        void rejectsTooFewOrTooManyProperties() {
            String schema = "{\"minProperties\": 1, \"maxProperties\": 2}";

            assertValid(schema, "{\"a\": 1}");
            assertThat(violations(schema, "{}")).containsExactly("$: expected at least 1 property, got 0");
            assertThat(violations(schema, "{\"a\": 1, \"b\": 2, \"c\": 3}"))
                    .containsExactly("$: expected at most 2 properties, got 3");
        }

        @Test
        void propertyNamesChecksEveryNameAsAString() {
            String schema = "{\"propertyNames\": {\"pattern\": \"^[a-z]+$\", \"maxLength\": 3}}";

            assertValid(schema, "{\"abc\": 1, \"x\": [2]}");
            assertThat(violations(schema, "{\"ab\": 1, \"Ab\": 2, \"abcd\": 3}")).containsExactly(
                    "$: property name \"Ab\" does not match the \"propertyNames\" schema: expected a string matching"
                            + " the pattern \"^[a-z]+$\", got \"Ab\"",
                    "$: property name \"abcd\" does not match the \"propertyNames\" schema: expected at most 3"
                            + " characters, got 4");
        }

        @Test
        void dependentRequiredRequiresPropertiesWhenAnotherIsPresent() {
            String schema = "{\"dependentRequired\": {\"card\": [\"expiry\", \"cvc\"]}}";

            assertValid(schema, "{}");
            assertValid(schema, "{\"card\": 1, \"expiry\": 2, \"cvc\": 3}");
            assertThat(violations(schema, "{\"card\": 1, \"cvc\": 3}"))
                    .containsExactly("$: missing property \"expiry\", required when \"card\" is present");
        }

        @Test
        void dependentSchemasApplyToTheWholeObjectWhenAPropertyIsPresent() {
            String schema = """
                    {"dependentSchemas": {"card": {"properties": {"expiry": {"type": "string"}}, "required": ["expiry"]}}}""";

            assertValid(schema, "{\"expiry\": 5}");
            assertThat(violations(schema, "{\"card\": 1, \"expiry\": 5}"))
                    .containsExactly("$.expiry: expected string, got integer 5");
        }

        @Test
        void draft7DependenciesSpellBothForms() {
            String schema = """
                    {"dependencies": {"a": ["b"], "c": {"required": ["d"]}}}""";

            assertValid(schema, "{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4}");
            assertThat(violations(schema, "{\"a\": 1, \"c\": 3}")).containsExactly(
                    "$: missing property \"b\", required when \"a\" is present", "$: missing required property \"d\"");
            assertInvalidSchema("{\"dependentRequired\": {\"a\": [1]}}", "invalid JSON Schema at #/dependentRequired/a:"
                    + " \"dependentRequired\" must map names to arrays of strings, got an item integer 1");
        }

        @Test
        void objectKeywordsIgnoreOtherTypes() {
            assertValid("{\"required\": [\"a\"], \"minProperties\": 3, \"additionalProperties\": false}", "[1]");
        }

        @Test
        void quotesPropertyNamesThatAreNotIdentifiersInPaths() {
            assertThat(violations("{\"properties\": {\"a b\": {\"type\": \"integer\"}}}", "{\"a b\": true}"))
                    .containsExactly("$[\"a b\"]: expected integer, got boolean true");
        }
    }

    @Nested
    class ArrayKeywords {
        @Test
        void appliesItemsToEveryItemWithItsIndexInThePath() {
            String schema = """
                    {"type": "object",
                     "properties": {"items": {"type": "array",
                                              "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}}
                    """;

            assertValid(schema, "{\"items\": [{\"name\": \"a\"}, {}]}");
            assertThat(violations(schema, "{\"items\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": 3}]}"))
                    .containsExactly("$.items[2].name: expected string, got integer 3");
        }

        @Test
        void containsCountsTheMatchingItems() {
            String schema = """
                    {"contains": {"type": "integer"}, "minContains": 2, "maxContains": 3}""";

            assertValid(schema, "[1, \"a\", 2]");
            assertValid(schema, "\"not an array\"");
            assertThat(violations(schema, "[1, \"a\"]"))
                    .containsExactly("$: expected at least 2 items matching the \"contains\" schema, got 1");
            assertThat(violations(schema, "[1, 2, 3, 4]"))
                    .containsExactly("$: expected at most 3 items matching the \"contains\" schema, got 4");
            assertThat(violations("{\"contains\": {\"const\": 5}}", "[]"))
                    .containsExactly("$: expected at least 1 item matching the \"contains\" schema, got 0");
        }

        @Test
        void appliesPrefixItemsByPosition() {
            String schema = """
                    {"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}""";

            assertValid(schema, "[\"a\", 1]");
            assertValid(schema, "[\"a\"]");
            assertThat(violations(schema, "[\"a\", \"b\"]"))
                    .containsExactly("$[1]: expected integer, got string \"b\"");
            assertThat(violations(schema, "[\"a\", 1, 2]")).containsExactly("$: expected at most 2 items, got 3");
        }

        @Test
        void appliesItemsAfterThePrefix() {
            String schema = """
                    {"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}""";

            assertValid(schema, "[\"a\", 1, 2]");
            assertThat(violations(schema, "[\"a\", 1, \"c\"]"))
                    .containsExactly("$[2]: expected integer, got string \"c\"");
        }

        @Test
        void understandsDraft7TupleItems() {
            String schema = """
                    {"items": [{"type": "string"}], "additionalItems": {"type": "boolean"}}""";

            assertValid(schema, "[\"a\", true, false]");
            assertThat(violations(schema, "[1, true, 0]")).containsExactly(
                    "$[0]: expected string, got integer 1", "$[2]: expected boolean, got integer 0");
        }

        @Test
        void rejectsTooFewOrTooManyItems() {
            String schema = "{\"minItems\": 1, \"maxItems\": 2}";

            assertValid(schema, "[1, 2]");
            assertThat(violations(schema, "[]")).containsExactly("$: expected at least 1 item, got 0");
            assertThat(violations(schema, "[1, 2, 3]")).containsExactly("$: expected at most 2 items, got 3");
        }

        @Test
        void rejectsDuplicateItemsWhenUniqueItemsIsSet() {
            String schema = "{\"uniqueItems\": true}";

            assertValid(schema, "[1, 2, \"1\", [1], {\"a\": 1}, {\"a\": 2}, null, true]");
            assertThat(violations(schema, "[1, 2, 1]"))
                    .containsExactly("$: expected unique items, got duplicates at [0] and [2]");
            assertThat(violations(schema, "[1, 1.0]")).hasSize(1);
            assertThat(violations(schema, "[{\"a\": 1, \"b\": [2]}, {\"b\": [2.0], \"a\": 1}]")).hasSize(1);
            assertValid("{\"uniqueItems\": false}", "[1, 1]");
        }

        @Test
        void findsDuplicatesInLargeArrays() {
            var items = new ArrayList<JsonValue>();
            for (int i = 0; i < 1_000; i++) {
                items.add(JsonValue.of("item " + i));
            }
            JsonSchema schema = compile("{\"uniqueItems\": true}");

            assertThat(schema.validate(new JsonArray(items))).isEmpty();
            items.set(900, JsonValue.of("item 10"));
            assertThat(schema.validate(new JsonArray(items)))
                    .containsExactly("$: expected unique items, got duplicates at [10] and [900]");
        }

        @Test
        void arrayKeywordsIgnoreOtherTypes() {
            assertValid("{\"items\": false, \"minItems\": 3, \"uniqueItems\": true}", "\"abc\"");
        }
    }

    @Nested
    class StringKeywords {
        @Test
        void countsLengthInCodePoints() {
            String twoEmoji = "\"\uD83D\uDE00\uD83D\uDE00\"";

            assertValid("{\"maxLength\": 2}", twoEmoji);
            assertValid("{\"minLength\": 2}", twoEmoji);
            assertThat(violations("{\"minLength\": 3}", twoEmoji))
                    .containsExactly("$: expected at least 3 characters, got 2");
            assertThat(violations("{\"maxLength\": 1}", twoEmoji))
                    .containsExactly("$: expected at most 1 character, got 2");
        }

        @Test
        void rejectsTooShortOrTooLongStrings() {
            String schema = "{\"minLength\": 2, \"maxLength\": 3}";

            assertValid(schema, "\"abc\"");
            assertThat(violations(schema, "\"a\"")).containsExactly("$: expected at least 2 characters, got 1");
            assertThat(violations(schema, "\"abcd\"")).containsExactly("$: expected at most 3 characters, got 4");
        }

        @Test
        void searchesForThePatternAnywhereInTheString() {
            assertValid("{\"pattern\": \"[0-9]+\"}", "\"abc123def\"");
            assertValid("{\"pattern\": \"^[a-z]+$\"}", "\"abc\"");
            assertThat(violations("{\"pattern\": \"^[a-z]+$\"}", "\"ABC\""))
                    .containsExactly("$: expected a string matching the pattern \"^[a-z]+$\", got \"ABC\"");
        }

        @Test
        void doesNotRunThePatternOnHugeStrings() {
            JsonSchema schema = compile("{\"properties\": {\"text\": {\"pattern\": \"^[ab]*$\"}}}");
            JsonValue huge = JsonObject.builder().put("text", "a".repeat(20_000)).build();

            assertThat(schema.validate(huge)).containsExactly("$.text: string of 20000 characters is too long to check"
                    + " against the pattern \"^[ab]*$\" (limit 10000)");
            assertThat(schema.isValid(JsonObject.builder().put("text", "ab".repeat(5_000)).build())).isTrue();
        }

        @Test
        void reportsARegexThatOverflowsTheStackAsAViolation() throws Exception {
            // java.util.regex recurses once per repetition of a group such as (a|b)*.
            JsonSchema schema = compile("{\"pattern\": \"^(a|b)*$\"}");
            JsonValue text = JsonValue.of("ab".repeat(4_500));
            var result = new AtomicReference<List<String>>();
            Thread small = new Thread(null, () -> result.set(schema.validate(text)), "small-stack", 256 * 1024);
            small.start();
            small.join();

            assertThat(result.get()).singleElement()
                    .asString()
                    .startsWith("$: string \"abab")
                    .endsWith("(9000 characters) is too complex to check against the pattern \"^(a|b)*$\"");
        }

        @Test
        void stringKeywordsIgnoreOtherTypes() {
            assertValid("{\"minLength\": 5, \"pattern\": \"^x$\"}", "12");
        }
    }

    @Nested
    class NumberKeywords {
        @Test
        void checksInclusiveBounds() {
            String schema = "{\"minimum\": 1, \"maximum\": 10}";

            assertValid(schema, "1");
            assertValid(schema, "10.0");
            assertThat(violations(schema, "0.5")).containsExactly("$: expected a number >= 1, got 0.5");
            assertThat(violations(schema, "11")).containsExactly("$: expected a number <= 10, got 11");
        }

        @Test
        void checksExclusiveBounds() {
            String schema = "{\"exclusiveMinimum\": 0, \"exclusiveMaximum\": 1}";

            assertValid(schema, "0.5");
            assertThat(violations(schema, "0")).containsExactly("$: expected a number > 0, got 0");
            assertThat(violations(schema, "1")).containsExactly("$: expected a number < 1, got 1");
        }

        @Test
        void understandsDraft4BooleanExclusiveBounds() {
            String schema = """
                    {"minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": false}""";

            assertValid(schema, "1");
            assertThat(violations(schema, "0")).containsExactly("$: expected a number > 0, got 0");
        }

        @Test
        void checksMultipleOfExactly() {
            assertValid("{\"multipleOf\": 2}", "8");
            assertValid("{\"multipleOf\": 0.1}", "0.3");
            assertValid("{\"multipleOf\": 0.5}", "-2.5");
            assertValid("{\"multipleOf\": 2}", "1e400");
            assertThat(violations("{\"multipleOf\": 2}", "7")).containsExactly("$: expected a multiple of 2, got 7");
            assertThat(violations("{\"multipleOf\": 0.1}", "0.35"))
                    .containsExactly("$: expected a multiple of 0.1, got 0.35");
            assertThat(violations("{\"multipleOf\": 7}", "1e400")).hasSize(1);
        }

        @Test
        void handlesExtremeNumbersQuickly() {
            JsonSchema schema = compile("""
                    {"type": "integer", "multipleOf": 3, "minimum": 0, "maximum": 10}""");

            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                assertThat(schema.validate(JsonValue.parse("1e999999999"))).containsExactly(
                        "$: expected a number <= 10, got 1E+999999999",
                        "$: expected a multiple of 3, got 1E+999999999");
                assertThat(schema.validate(JsonValue.parse("-1e-999999999"))).hasSize(1);
                assertThat(schema.isValid(JsonValue.parse("1" + "0".repeat(990)))).isFalse();
                assertThat(compile("{\"multipleOf\": 1e-999999999}").isValid(JsonValue.parse("1e999999999"))).isTrue();
            });
        }

        @Test
        void numberKeywordsIgnoreOtherTypes() {
            assertValid("{\"minimum\": 5, \"multipleOf\": 3}", "\"1\"");
        }
    }

    @Nested
    class EnumAndConst {
        @Test
        void acceptsOnlyListedValues() {
            String schema = "{\"properties\": {\"mode\": {\"enum\": [\"read\", \"write\", null, 1]}}}";

            assertValid(schema, "{\"mode\": \"read\"}");
            assertValid(schema, "{\"mode\": null}");
            assertValid(schema, "{\"mode\": 1.0}");
            assertThat(violations(schema, "{\"mode\": \"delete\"}"))
                    .containsExactly("$.mode: expected one of \"read\", \"write\", null, 1, got \"delete\"");
        }

        @Test
        void acceptsOnlyTheConstant() {
            assertValid("{\"const\": \"file\"}", "\"file\"");
            assertValid("{\"const\": {\"a\": [1, 2]}}", "{\"a\": [1.0, 2]}");
            assertThat(violations("{\"const\": \"file\"}", "\"dir\""))
                    .containsExactly("$: expected \"file\", got \"dir\"");
            assertThat(violations("{\"const\": {\"a\": [1, 2]}}", "{\"a\": [2, 1]}"))
                    .containsExactly("$: expected {\"a\":[1,2]}, got {\"a\":[2,1]}");
        }

        @Test
        void constNullAcceptsOnlyNull() {
            assertValid("{\"const\": null}", "null");
            assertThat(violations("{\"const\": null}", "0")).containsExactly("$: expected null, got 0");
        }
    }

    @Nested
    class Combinators {
        @Test
        void allOfReportsTheProblemsOfEverySubschema() {
            String schema = """
                    {"allOf": [{"type": "string", "minLength": 3}, {"pattern": "^a"}]}""";

            assertValid(schema, "\"abc\"");
            assertThat(violations(schema, "\"b\"")).containsExactly("$: expected at least 3 characters, got 1",
                    "$: expected a string matching the pattern \"^a\", got \"b\"");
        }

        @Test
        void anyOfOfTypesReadsAsATypeMismatch() {
            String schema = """
                    {"anyOf": [{"type": "string"}, {"type": "null"}]}""";

            assertValid(schema, "null");
            assertThat(violations(schema, "5")).containsExactly("$: expected string or null, got integer 5");
        }

        @Test
        void anyOfReportsTheProblemsOfTheOnlyAlternativeForTheType() {
            String schema = """
                    {"anyOf": [{"type": "object", "required": ["a"]}, {"type": "null"}]}""";

            assertThat(violations(schema, "{}")).containsExactly("$: missing required property \"a\"");
        }

        @Test
        void anyOfReportsTheFirstProblemOfEachAlternative() {
            String schema = """
                    {"anyOf": [{"type": "string", "minLength": 5}, {"type": "string", "pattern": "^x"}]}""";

            assertValid(schema, "\"xy\"");
            assertThat(violations(schema, "\"ab\"")).containsExactly("$: expected a value matching at least one of"
                    + " the anyOf alternatives, but none matched: anyOf[0]: $: expected at least 5 characters, got 2;"
                    + " anyOf[1]: $: expected a string matching the pattern \"^x\", got \"ab\"");
        }

        @Test
        void oneOfRequiresExactlyOneMatch() {
            String schema = """
                    {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}, {"type": "string"}]}""";

            assertValid(schema, "3");
            assertValid(schema, "10.5");
            assertThat(violations(schema, "12")).containsExactly("$: expected a value matching exactly one of the"
                    + " oneOf alternatives, got one matching 2 (oneOf[0], oneOf[1])");
            assertThat(violations(schema, "true")).containsExactly("$: expected string or number, got boolean true");
        }

        @Test
        void oneOfWithNoMatchReportsEachAlternative() {
            String schema = """
                    {"oneOf": [{"type": "string", "minLength": 5}, {"type": "string", "maxLength": 1}]}""";

            assertThat(violations(schema, "\"abc\"")).singleElement()
                    .asString()
                    .startsWith("$: expected a value matching exactly one of the oneOf alternatives, but none matched:"
                            + " oneOf[0]: $: expected at least 5 characters, got 3; oneOf[1]:");
        }

        @Test
        void ifChoosesBetweenThenAndElse() {
            String schema = """
                    {"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"type": "string"}}""";

            assertValid(schema, "3");
            assertValid(schema, "\"s\"");
            assertThat(violations(schema, "-1")).containsExactly("$: expected a number >= 0, got -1");
            assertThat(violations(schema, "true")).containsExactly("$: expected string, got boolean true");
            assertValid("{\"then\": false, \"else\": false}", "1");
            assertValid("{\"if\": false}", "1");
        }

        @Test
        void notRejectsWhatTheSubschemaAccepts() {
            String schema = "{\"not\": {\"type\": \"null\"}}";

            assertValid(schema, "0");
            assertThat(violations(schema, "null"))
                    .containsExactly("$: expected a value not matching the \"not\" schema, got null");
        }
    }

    @Nested
    class References {
        @Test
        void validatesARecursiveTree() {
            JsonSchema schema = compile(TREE_SCHEMA);

            assertThat(schema.validate(tree(8))).isEmpty();
            assertThat(schema.validate(JsonValue.parse("""
                    {"value": 1, "children": [{"value": 2},
                                              {"value": 3, "children": [{"value": "x"}]}]}
                    """))).containsExactly("$.children[1].children[0].value: expected integer, got string \"x\"");
            assertThat(schema.validate(JsonValue.parse("{\"value\": 1, \"children\": [{\"extra\": 1}]}")))
                    .containsExactly("$.children[0]: missing required property \"value\"",
                            "$.children[0]: unexpected property \"extra\" (allowed: value, children)");
        }

        @Test
        void resolvesARefToTheRoot() {
            assertValid(NESTED_ARRAYS_SCHEMA, "[[], [[]], [[[]]]]");
            assertThat(violations(NESTED_ARRAYS_SCHEMA, "[[], [[1]]]"))
                    .containsExactly("$[1][0][0]: expected array, got integer 1");
        }

        @Test
        void resolvesDefinitionsAndEscapedPointers() {
            assertValid("{\"definitions\": {\"id\": {\"type\": \"integer\"}}, \"$ref\": \"#/definitions/id\"}", "4");
            String escaped = """
                    {"$defs": {"a/b": {"type": "string"}, "c~d": {"type": "integer"}, "e f": {"type": "null"}},
                     "prefixItems": [{"$ref": "#/$defs/a~1b"}, {"$ref": "#/$defs/c~0d"}, {"$ref": "#/$defs/e%20f"}]}""";
            assertValid(escaped, "[\"s\", 1, null]");
            assertThat(violations(escaped, "[1]")).containsExactly("$[0]: expected string, got integer 1");
        }

        @Test
        void appliesKeywordsBesideARef() {
            String schema = """
                    {"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n", "minimum": 3}""";

            assertValid(schema, "3");
            assertThat(violations(schema, "2")).containsExactly("$: expected a number >= 3, got 2");
            assertThat(violations(schema, "3.5")).containsExactly("$: expected integer, got number 3.5");
        }

        @Test
        void validatesMutuallyRecursiveDefinitions() {
            String schema = """
                    {"$defs": {"even": {"type": "array", "maxItems": 1, "items": {"$ref": "#/$defs/odd"}},
                               "odd": {"type": "array", "minItems": 1, "maxItems": 1,
                                       "items": {"$ref": "#/$defs/even"}}},
                     "$ref": "#/$defs/even"}""";

            assertValid(schema, "[]");
            assertValid(schema, "[[[]]]");
            assertThat(violations(schema, "[[[[]]]]")).containsExactly("$[0][0][0]: expected at least 1 item, got 0");
        }
    }

    @Nested
    class BooleanSchemas {
        @Test
        void falseRejectsEveryValue() {
            assertThat(violations("{\"properties\": {\"legacy\": false}}", "{\"legacy\": 1}"))
                    .containsExactly("$.legacy: no value is allowed here, got integer 1");
            assertValid("{\"properties\": {\"legacy\": false}}", "{}");
        }

        @Test
        void trueAcceptsEveryValue() {
            assertValid("{\"items\": true, \"additionalProperties\": true, \"properties\": {\"a\": true}}",
                    "{\"a\": [1], \"b\": {}}");
            assertValid("{\"items\": true}", "[1, \"x\", null]");
        }

        @Test
        void booleanSubschemasWorkInCombinators() {
            assertValid("{\"anyOf\": [false, true]}", "1");
            assertThat(violations("{\"anyOf\": [false, false]}", "1"))
                    .containsExactly("$: no value is allowed here, got integer 1");
            assertThat(violations("{\"not\": true}", "\"s\""))
                    .containsExactly("$: expected a value not matching the \"not\" schema, got string \"s\"");
        }
    }

    // --------------------------------------------------------------------------------------------
    // Invalid schemas

    @Nested
    class InvalidSchemas {
        @Test
        void rejectsAnUnknownType() {
            assertInvalidSchema("{\"properties\": {\"a\": {\"type\": \"int\"}}}",
                    "invalid JSON Schema at #/properties/a: \"type\" has an unknown type \"int\"");
            assertInvalidSchema("{\"type\": 3}", "invalid JSON Schema at #: \"type\" must be a string or an array");
        }

        @Test
        void rejectsARefThatDoesNotResolve() {
            assertInvalidSchema("{\"properties\": {\"a\": {\"$ref\": \"#/$defs/missing\"}}}",
                    "invalid JSON Schema at #/properties/a: \"$ref\" \"#/$defs/missing\" does not resolve");
            assertInvalidSchema("{\"$defs\": {\"a\": 3}, \"$ref\": \"#/$defs/a\"}",
                    "\"$ref\" \"#/$defs/a\" points to integer 3, not to a schema");
        }

        @Test
        void rejectsARefOutsideTheDocument() {
            assertInvalidSchema("{\"$ref\": \"https://example.com/schema.json\"}", "is not supported");
            assertInvalidSchema("{\"$ref\": \"#anchor\"}", "is not supported");
        }

        @Test
        void rejectsARefLoopThatNeverDescendsIntoTheValue() {
            assertInvalidSchema("{\"$ref\": \"#\"}", "validation would never end");
            assertInvalidSchema("{\"anyOf\": [{\"$ref\": \"#\"}, {\"type\": \"null\"}]}", "validation would never end");
            assertInvalidSchema("{\"if\": {\"$ref\": \"#\"}, \"then\": true}", "validation would never end");
            assertInvalidSchema("{\"dependentSchemas\": {\"a\": {\"$ref\": \"#\"}}}", "validation would never end");
            assertInvalidSchema(
                    "{\"$defs\": {\"a\": {\"allOf\": [{\"$ref\": \"#/$defs/b\"}]}, \"b\": {\"$ref\": \"#/$defs/a\"}},"
                            + " \"properties\": {\"x\": {\"$ref\": \"#/$defs/a\"}}}",
                    "validation would never end");
        }

        @Test
        void rejectsAPatternThatIsNotARegularExpression() {
            assertInvalidSchema("{\"pattern\": \"[a-\"}", "invalid JSON Schema at #: \"pattern\" \"[a-\" is not a valid"
                    + " regular expression");
            assertInvalidSchema("{\"patternProperties\": {\"(\": true}}", "\"patternProperties\" \"(\" is not a valid");
        }

        @Test
        void rejectsKeywordsOfTheWrongShape() {
            assertInvalidSchema("{\"minLength\": -1}", "\"minLength\" must be a non-negative integer, got integer -1");
            assertInvalidSchema("{\"maxItems\": 1.5}", "\"maxItems\" must be a non-negative integer");
            assertInvalidSchema("{\"required\": \"a\"}", "\"required\" must be an array of strings");
            assertInvalidSchema("{\"required\": [1]}", "\"required\" must be an array of strings");
            assertInvalidSchema("{\"enum\": \"a\"}", "\"enum\" must be an array");
            assertInvalidSchema("{\"multipleOf\": 0}", "\"multipleOf\" must be greater than 0");
            assertInvalidSchema("{\"minimum\": \"1\"}", "\"minimum\" must be a number");
            assertInvalidSchema("{\"anyOf\": []}", "\"anyOf\" must be a non-empty array of schemas");
            assertInvalidSchema("{\"uniqueItems\": 1}", "\"uniqueItems\" must be a boolean");
            assertInvalidSchema("{\"properties\": []}", "\"properties\" must be an object");
            assertInvalidSchema("{\"items\": {\"properties\": {\"a\": 3}}}",
                    "invalid JSON Schema at #/items/properties/a: a schema must be an object or a boolean,"
                            + " got integer");
        }

        @Test
        void ignoresAnnotationsAndUnknownKeywords() {
            String schema = """
                    {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:x", "$comment": "c",
                     "title": "t", "description": "d", "default": 1, "examples": [1], "format": "email",
                     "deprecated": true, "readOnly": false, "writeOnly": false, "x-vendor": {"any": "thing"},
                     "type": "string"}""";

            assertValid(schema, "\"not an email\"");
            assertThat(violations(schema, "1")).containsExactly("$: expected string, got integer 1");
        }
    }

    // --------------------------------------------------------------------------------------------
    // Hostile values

    @Nested
    class HostileValues {
        @Test
        void reportsDeepNestingInsteadOfOverflowingTheStack() {
            JsonSchema schema = compile(NESTED_ARRAYS_SCHEMA);
            JsonValue deep = nestedArrays(10_000);

            assertThat(schema.isValid(deep)).isFalse();
            assertThat(schema.validate(deep)).containsExactly("$: value nested deeper than 200 levels");
        }

        @Test
        void acceptsNestingUpToTwoHundredLevels() {
            JsonSchema schema = compile(NESTED_ARRAYS_SCHEMA);

            assertThat(schema.validate(nestedArrays(200))).isEmpty();
            assertThat(schema.validate(nestedArrays(201))).containsExactly("$: value nested deeper than 200 levels");
        }

        @Test
        void reportsDeepNestingInObjectsAndEqualityChecks() {
            JsonValue deepObject = JsonObject.EMPTY;
            for (int i = 0; i < 10_000; i++) {
                deepObject = JsonObject.builder().put("a", deepObject).build();
            }
            JsonValue deepArray = nestedArrays(10_000);

            assertThat(compile("{\"additionalProperties\": {\"$ref\": \"#\"}}").isValid(deepObject)).isFalse();
            assertThat(compile("{\"uniqueItems\": true}").validate(JsonArray.of(deepArray, nestedArrays(10_000))))
                    .containsExactly("$: value nested deeper than 200 levels");
            assertThat(compile("{\"enum\": [[[1]]]}").validate(deepArray)).singleElement()
                    .asString()
                    .startsWith("$: expected one of [[1]], got [[[[")
                    .hasSizeLessThan(150);
            assertThat(JsonSchema.any().isValid(deepArray)).as("a schema that does not look inside").isTrue();
        }

        @Test
        void capsTheNumberOfViolationsAtTwenty() {
            var members = new LinkedHashMap<String, JsonValue>();
            for (int i = 0; i < 50; i++) {
                members.put("p" + i, JsonValue.of(i));
            }
            List<String> violations = compile("{\"additionalProperties\": {\"type\": \"string\"}}")
                    .validate(new JsonObject(members));

            assertThat(violations).hasSize(20).first().isEqualTo("$.p0: expected string, got integer 0");
        }

        @Test
        void handlesHugeArraysQuickly() {
            var items = new ArrayList<JsonValue>();
            for (int i = 0; i < 1_000_000; i++) {
                items.add(JsonValue.of(i));
            }
            JsonArray huge = new JsonArray(items);

            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertThat(compile("{\"items\": {\"type\": \"integer\"}, \"uniqueItems\": true}").isValid(huge))
                        .isTrue();
                assertThat(compile("{\"items\": {\"type\": \"string\"}}").validate(huge)).hasSize(20);
            });
        }

        @Test
        void neverEchoesMoreThanAShortExcerpt() {
            String text = "x".repeat(1_000_000);
            List<String> violations = compile("{\"type\": \"integer\"}").validate(JsonValue.of(text));

            assertThat(violations).singleElement()
                    .asString()
                    .startsWith("$: expected integer, got string \"xxx")
                    .endsWith("...\" (1000000 characters)")
                    .hasSizeLessThan(140);
            String key = "k".repeat(5_000);
            assertThat(compile("{\"additionalProperties\": false}")
                    .validate(JsonObject.builder().put(key, 1).build())).singleElement()
                    .asString()
                    .hasSizeLessThan(200);
        }

        @Test
        void stringsOfUnusualCharactersAreEscapedInMessages() {
            assertThat(violations("{\"type\": \"integer\"}", "\"a\\\"b\\n\\u0001\""))
                    .containsExactly("$: expected integer, got string \"a\\\"b\\n\\u0001\"");
        }
    }

    // --------------------------------------------------------------------------------------------

    private static JsonSchema compile(String schema) {
        return JsonSchema.compile(JsonValue.parse(schema).asObject());
    }

    /** The violations, after checking that {@code isValid} agrees with {@code validate}. */
    private static List<String> violations(String schema, String value) {
        JsonSchema compiled = compile(schema);
        JsonValue parsed = JsonValue.parse(value);
        List<String> violations = compiled.validate(parsed);
        assertThat(compiled.isValid(parsed)).as("isValid(%s)", value).isEqualTo(violations.isEmpty());
        return violations;
    }

    private static void assertValid(String schema, String value) {
        assertThat(violations(schema, value)).as("%s against %s", value, schema).isEmpty();
    }

    private static void assertInvalidSchema(String schema, String message) {
        assertThatThrownBy(() -> compile(schema)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    private static JsonValue nestedArrays(int depth) {
        JsonValue value = JsonArray.EMPTY;
        for (int i = 1; i < depth; i++) {
            value = JsonArray.of(value);
        }
        return value;
    }

    /** A complete tree of the given depth, as {@link #TREE_SCHEMA} describes. */
    private static JsonValue tree(int depth) {
        var node = JsonObject.builder().put("value", depth);
        if (depth > 1) {
            node.put("children", JsonArray.of(tree(depth - 1), tree(depth - 1)));
        }
        return node.build();
    }
}
