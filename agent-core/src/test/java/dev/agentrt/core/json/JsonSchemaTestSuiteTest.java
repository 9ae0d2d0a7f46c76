package dev.agentrt.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs the official JSON-Schema-Test-Suite (draft 2020-12, see the README next to the data) through
 * the public {@link JsonSchema} API: one dynamic test per case, named {@code file/group/description}.
 *
 * <p>Cases listed in {@code known-failures.txt} must fail; one that passes fails the run, so that
 * the list shrinks as the validator improves and never hides a case that works. An entry that names
 * no case fails the run too. A failure message gives the line to add when a case is accepted as a
 * known failure.
 *
 * <p>The suite's {@code remotes/} are not copied: {@link JsonSchema} refuses every {@code $ref}
 * that leaves the document, so nothing is ever fetched, from the network or elsewhere; the cases
 * that need a remote schema are known failures.
 */
class JsonSchemaTestSuiteTest {
    private static final String ROOT = "json-schema-test-suite";
    private static final String DRAFT = "draft2020-12";

    @TestFactory
    Stream<DynamicNode> draft2020_12() throws IOException {
        Path root = resource(ROOT);
        Set<String> knownFailures = knownFailures(root.resolve("known-failures.txt"));
        Set<String> seen = new HashSet<>();
        Path draft = root.resolve(DRAFT);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(draft)) {
            files = walk.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        var nodes = new ArrayList<DynamicNode>();
        for (Path file : files) {
            String name = draft.relativize(file).toString().replace('\\', '/');
            nodes.add(
                    DynamicContainer.dynamicContainer(name, file.toUri(), fileCases(name, file, knownFailures, seen)));
        }
        nodes.add(DynamicTest.dynamicTest("known-failures.txt names only cases of the suite",
                () -> assertThat(knownFailures).as("entries of known-failures.txt that name no case")
                        .isSubsetOf(seen)));
        return nodes.stream();
    }

    private static Stream<DynamicNode> fileCases(String file, Path path, Set<String> knownFailures,
            Set<String> seen) {
        JsonArray groups = JsonValue.parse(read(path)).asArray();
        var nodes = new ArrayList<DynamicNode>();
        for (JsonValue g : groups.items()) {
            JsonObject group = g.asObject();
            String groupName = group.getString("description").orElseThrow();
            JsonValue schema = Objects.requireNonNull(group.get("schema"));
            var tests = new ArrayList<DynamicNode>();
            for (JsonValue t : group.getArray("tests").orElseThrow().items()) {
                JsonObject test = t.asObject();
                String description = test.getString("description").orElseThrow();
                String key = file + "/" + groupName + "/" + description;
                if (!seen.add(key)) {
                    throw new IllegalStateException("two cases named " + key);
                }
                var c = new Case(key, schema, Objects.requireNonNull(test.get("data")),
                        test.getBoolean("valid").orElseThrow());
                boolean known = knownFailures.contains(key);
                tests.add(DynamicTest.dynamicTest(description, () -> run(c, known)));
            }
            nodes.add(DynamicContainer.dynamicContainer(groupName, tests.stream()));
        }
        return nodes.stream();
    }

    private record Case(String key, JsonValue schema, JsonValue data, boolean valid) {}

    private static void run(Case c, boolean knownFailure) {
        String problem = problem(c);
        if (knownFailure && problem == null) {
            throw new AssertionFailedError(c.key() + " passes now: remove it from known-failures.txt");
        }
        if (!knownFailure && problem != null) {
            throw new AssertionFailedError(c.key() + ": " + problem
                    + "\n(if this is accepted, add the line below to known-failures.txt under a reason)\n" + c.key());
        }
    }

    /** What is wrong with the outcome of {@code c}, or null when the validator agrees with the suite. */
    private static @Nullable String problem(Case c) {
        JsonSchema schema;
        try {
            schema = JsonSchema.compile(rootSchema(c.schema()));
        } catch (IllegalArgumentException e) {
            return "the schema was refused: " + e.getMessage();
        }
        boolean valid = schema.isValid(c.data());
        List<String> violations = schema.validate(c.data());
        if (valid != violations.isEmpty()) {
            // Always a bug, never a known failure: the fast and the reporting path must agree.
            throw new AssertionFailedError(c.key() + ": isValid says " + valid + " but validate says " + violations);
        }
        if (valid != c.valid()) {
            return c.valid() ? "a valid value was rejected: " + violations : "an invalid value was accepted";
        }
        return null;
    }

    /**
     * The public API compiles schema objects; the boolean schemas are the objects they abbreviate,
     * as the specification defines them.
     */
    private static JsonObject rootSchema(JsonValue schema) {
        if (schema instanceof JsonValue.JsonBoolean b) {
            return b.value() ? JsonObject.EMPTY : JsonValue.parse("{\"not\": {}}").asObject();
        }
        return schema.asObject();
    }

    /** One case key a line; blank lines and lines starting with {@code #} (the reasons) are skipped. */
    private static Set<String> knownFailures(Path list) {
        var keys = new LinkedHashSet<String>();
        for (String line : read(list).split("\n", -1)) {
            if (!line.isBlank() && !line.startsWith("#") && !keys.add(line)) {
                throw new IllegalStateException("known-failures.txt lists twice: " + line);
            }
        }
        return keys;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(JsonSchemaTestSuiteTest.class.getClassLoader().getResource(name),
                    name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
