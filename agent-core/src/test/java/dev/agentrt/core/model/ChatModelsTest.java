package dev.agentrt.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.ollama.OllamaChatModel;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What {@link ChatModels#byName} refuses and why. No test reads the real environment: each passes a map. (Each
 * provider's package has a test that the named model speaks its wire protocol at the configured URL.)
 */
class ChatModelsTest {
    static final Map<String, String> NONE = Map.of();

    /** Every variable read, so a test can show nothing but the provider's own variables was consulted. */
    static final class RecordingEnv implements Function<String, String> {
        final Map<String, String> values;
        final Set<String> read = new java.util.LinkedHashSet<>();

        RecordingEnv(Map<String, String> values) {
            this.values = values;
        }

        @Override
        public String apply(String name) {
            read.add(name);
            return values.get(name);
        }
    }

    @Test
    void theBuiltInPrefixesAreKnown() {
        assertThat(ChatModels.prefixes()).startsWith("anthropic", "openai", "openai-responses", "gemini", "ollama",
                "bedrock");
    }

    @Test
    void aNameWithoutAColonIsRefusedWithTheFormAndThePrefixes() {
        assertThatThrownBy(() -> ChatModels.byName("claude-sonnet-4-5", NONE::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'claude-sonnet-4-5' has no provider prefix")
                .hasMessageContaining("prefix:model")
                .hasMessageContaining("anthropic, openai");
    }

    @Test
    void aNameWithNothingAfterThePrefixIsRefusedWithAnExample() {
        for (String name : new String[]{"anthropic:", "anthropic:  "}) {
            assertThatThrownBy(() -> ChatModels.byName(name, NONE::get)).as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("names no model after 'anthropic:'")
                    .hasMessageContaining("anthropic:claude-sonnet-4-5");
        }
    }

    @Test
    void aNameWithNothingBeforeTheColonIsRefused() {
        assertThatThrownBy(() -> ChatModels.byName(":gpt-4.1", NONE::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing before the colon");
    }

    @Test
    void anUnknownPrefixIsNamedAndTheKnownOnesListed() {
        assertThatThrownBy(() -> ChatModels.byName("mistral:large", NONE::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown provider prefix 'mistral'")
                .hasMessageContaining("anthropic, openai, openai-responses, gemini, ollama, bedrock");
    }

    @Test
    void theLocalPrefixWithoutAgentInferenceNamesTheModuleToAdd() {
        assertThatThrownBy(() -> ChatModels.byName("local:/models/qwen", NONE::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'local:' needs dev.agentrt:agent-inference");
    }

    @Test
    void aMissingKeyNamesTheVariableToSet() {
        Map<String, String> keyVariable = Map.of("anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY",
                "openai:gpt-4.1-mini", "OPENAI_API_KEY", "openai-responses:gpt-5-mini", "OPENAI_API_KEY",
                "gemini:gemini-2.5-flash", "GEMINI_API_KEY or GOOGLE_API_KEY");
        keyVariable.forEach((name, variable) -> assertThatThrownBy(() -> ChatModels.byName(name, NONE::get))
                .as(name)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(name + " needs an API key")
                .hasMessageContaining("set the environment variable " + variable));
    }

    @Test
    void aBlankKeyCountsAsMissing() {
        assertThatThrownBy(() -> ChatModels.byName("anthropic:claude-sonnet-4-5",
                Map.of("ANTHROPIC_API_KEY", "  ")::get))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ANTHROPIC_API_KEY");
    }

    @Test
    void bedrockWithoutRegionOrCredentialsNamesTheVariables() {
        assertThatThrownBy(() -> ChatModels.byName("bedrock:amazon.nova-lite-v1:0", NONE::get))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bedrock:amazon.nova-lite-v1:0")
                .hasMessageContaining("AWS_REGION");
        assertThatThrownBy(() -> ChatModels.byName("bedrock:amazon.nova-lite-v1:0",
                Map.of("AWS_REGION", "eu-west-1")::get))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no AWS credentials")
                .hasMessageContaining("AWS_ACCESS_KEY_ID");
    }

    @Test
    void aModelNameTheProviderRefusesIsReportedWithTheWholeName() {
        assertThatThrownBy(() -> ChatModels.byName("gemini:not a model!", Map.of("GEMINI_API_KEY", "k")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gemini:not a model!: ")
                .hasMessageContaining("Gemini model name");
    }

    @Test
    void onlyTheProvidersOwnVariablesAreRead() {
        var env = new RecordingEnv(new HashMap<>(Map.of("ANTHROPIC_API_KEY", "sk-ant-x")));

        ChatModel model = ChatModels.byName("Anthropic:claude-sonnet-4-5", env);

        assertThat(model).isInstanceOf(AnthropicChatModel.class);
        assertThat(env.read).isNotEmpty().allMatch(v -> v.startsWith("ANTHROPIC_"));
    }

    @Test
    void ollamaNeedsNoKey() {
        assertThat(ChatModels.byName("ollama:qwen3:4b", NONE::get)).isInstanceOf(OllamaChatModel.class);
    }

    @Test
    void theAgentBuilderReportsTheErrorsOfAModelByNameBeforeReadingTheEnvironment() {
        assertThatThrownBy(() -> Agent.builder().model("gpt-4.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no provider prefix");
        assertThatThrownBy(() -> Agent.builder().model("nope:x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown provider prefix 'nope'");
        assertThatThrownBy(() -> Agent.builder().model("local:/models/qwen"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs dev.agentrt:agent-inference");
    }

    @Test
    void theConfigurerSetsWhatANameCannotCarryOnEveryHostedProvidersBuilder() {
        for (String name : new String[]{"anthropic:claude-sonnet-4-5", "openai:gpt-4.1-mini",
                "openai-responses:gpt-5-mini", "gemini:gemini-2.5-flash", "ollama:qwen3:4b",
                "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0"}) {
            var seen = new java.util.ArrayList<HostedModelBuilder<?>>();
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "k", "OPENAI_API_KEY", "k", "GEMINI_API_KEY", "k",
                    "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "AKIAABCDEFGHIJKLMNOP", "AWS_SECRET_ACCESS_KEY",
                    "secret");
            ChatModel model = ChatModels.byName(name, env::get, seen::add);
            assertThat(seen).as(name).hasSize(1);
            assertThat(model).as(name).isNotNull();
        }
    }

    @Test
    void aHeaderTheConfigurerSetsIsSentAndABadValueNamesTheModel() {
        try (var server = dev.agentrt.core.testing.FakeHttpServer.start()) {
            server.enqueue(dev.agentrt.core.testing.FakeHttpServer.Responder.json(200,
                    "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4.1-mini\",\"object\":\"model\"}]}"));
            ChatModel model = ChatModels.byName("openai:gpt-4.1-mini",
                    Map.of("OPENAI_BASE_URL", server.url() + "/v1")::get,
                    b -> b.header("X-Tenant", "acme").timeout(java.time.Duration.ofSeconds(20)));

            assertThat(model.reachability().block(java.time.Duration.ofSeconds(30)).status())
                    .isEqualTo(ModelReachability.Status.UP);
            assertThat(server.lastRequest().header("X-Tenant")).isEqualTo("acme");
        }
        assertThatThrownBy(() -> ChatModels.byName("openai:gpt-4.1-mini", Map.of("OPENAI_API_KEY", "k")::get,
                b -> b.timeout(java.time.Duration.ofSeconds(-1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("openai:gpt-4.1-mini: ");
    }
}
