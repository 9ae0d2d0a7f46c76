package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * An application that created ONNX Runtime's {@code OrtEnvironment} before agentrt's local models
 * started gets a {@link ModelLoadException} that says so and how to order the start-up, every time
 * it tries, instead of an {@code ExceptionInInitializerError} and then {@code NoClassDefFoundError}s.
 * The trap is per JVM, so it is sprung in a child JVM; the order that works is shown there too.
 */
class OnnxRuntimeStartOrderTest {
    static final Path QWEN = Path.of("src/test/resources/models/tiny-qwen2/optimum-fp32").toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void anEnvironmentCreatedFirstGivesAModelLoadExceptionThatSaysWhatToDoEveryTime() throws Exception {
        List<String> lines = runChild("environment-first");
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            assertThat(line).startsWith(ModelLoadException.class.getName() + ": ONNX Runtime's engine for local"
                    + " models cannot start in this JVM: other code created an ai.onnxruntime.OrtEnvironment first")
                    .contains("Engine.getEngine(\"OnnxRuntime\")")
                    .contains("already exists");
        }
    }

    @Test
    void localModelsFirstThenTheApplicationsOwnEnvironmentWorks() throws Exception {
        List<String> lines = runChild("models-first");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("chat: ").hasSizeGreaterThan("chat: ".length());
        assertThat(lines.get(1)).isEqualTo("embedding: 384");
        assertThat(lines.get(2)).isEqualTo("environment: same");
    }

    private List<String> runChild(String order) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = tmp.resolve("child.out");
        Path err = tmp.resolve("child.err");
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPathJar().toString(),
                Child.class.getName(), order, QWEN.toString())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            // A hang guard only: the child loads two tiny models.
            assertThat(child.waitFor(Duration.ofMinutes(5).toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("child stderr:%n%s", Files.readString(err)).isZero();
        return Files.readAllLines(out, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
    }

    /**
     * The test class path in a manifest-only jar: ONNX Runtime's Java binding crashes a JVM whose
     * {@code java.class.path} is longer than about 4 KB.
     */
    private Path classPathJar() throws java.io.IOException {
        var manifest = new Manifest();
        var attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        var entries = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
            }
        }
        attributes.put(Attributes.Name.CLASS_PATH, entries.toString().strip());
        Path jar = tmp.resolve("child-classpath.jar");
        try (var stream = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            stream.flush();
        }
        return jar;
    }

    /** The child JVM: prints one line per attempt, the outcome or the exception's class and message. */
    public static final class Child {
        private Child() {}

        public static void main(String[] args) throws Exception {
            Path qwen = Path.of(args[1]);
            if (args[0].equals("environment-first")) {
                OrtEnvironment.getEnvironment();
                System.out.println(attempt(() -> chat(qwen)));
                System.out.println(attempt(() -> chat(qwen)));
                System.out.println(attempt(Child::embedding));
            } else {
                System.out.println("chat: " + chat(qwen));
                System.out.println("embedding: " + embedding());
                OrtEnvironment own = OrtEnvironment.getEnvironment();
                System.out.println("environment: " + (own == OrtEnvironment.getEnvironment() ? "same" : "other"));
            }
        }

        private static String chat(Path dir) {
            try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).maxTokens(4).build()) {
                return model.call(ChatRequest.of(Message.user("Hi"))).block(Duration.ofMinutes(1)).message().text();
            }
        }

        private static String embedding() {
            try (LocalEmbeddingModel model = LocalEmbeddingModel.builder().build()) {
                return String.valueOf(model.embed("hello").block(Duration.ofMinutes(1)).dimensions());
            }
        }

        private static String attempt(java.util.concurrent.Callable<String> action) {
            try {
                return "ok: " + action.call();
            } catch (Throwable e) {
                return e.getClass().getName() + ": " + e.getMessage();
            }
        }
    }
}
