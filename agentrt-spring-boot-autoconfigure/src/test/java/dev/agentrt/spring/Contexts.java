package dev.agentrt.spring;

import dev.agentrt.core.model.Embedding;
import dev.agentrt.core.model.EmbeddingModel;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** What the auto-configuration tests share: a context runner that sees no real environment, a small model. */
final class Contexts {
    private Contexts() {}

    /**
     * The auto-configuration in a context without the process's environment variables, so that a key in the
     * machine's environment can neither make a test pass nor fail: settings come from the test's properties.
     */
    static ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withInitializer(context -> context.getEnvironment()
                        .getPropertySources()
                        .remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME))
                .withConfiguration(AutoConfigurations.of(AgentrtAutoConfiguration.class));
    }

    /** A tiny embedding model (character trigrams hashed into 64 dimensions) that says when it was closed. */
    static final class TrigramModel implements EmbeddingModel, AutoCloseable {
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public int dimensions() {
            return 64;
        }

        @Override
        public int maxInputTokens() {
            return 512;
        }

        @Override
        public Mono<List<Embedding>> embedAll(List<String> texts) {
            return Mono.fromSupplier(() -> {
                var out = new ArrayList<Embedding>(texts.size());
                for (String t : texts) {
                    float[] v = new float[64];
                    for (int i = 0; i + 3 <= t.length(); i++) {
                        v[Math.floorMod(t.substring(i, i + 3).hashCode(), 64)] += 1;
                    }
                    out.add(Embedding.of(v));
                }
                return out;
            });
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }
}
