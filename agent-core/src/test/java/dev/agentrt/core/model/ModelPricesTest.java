package dev.agentrt.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.util.Optional;

class ModelPricesTest {
    @Test
    void aModelMatchesItsNameOrItsNameWithAReleaseDateAndNothingElse() {
        ModelPrice sonnet = ModelPrices.lookup("anthropic", "claude-sonnet-4-5").orElseThrow();
        assertThat(sonnet).isEqualTo(new ModelPrice(3, 15, 0.3, 3.75));
        assertThat(ModelPrices.lookup("Anthropic", "claude-sonnet-4-5-20250929")).contains(sonnet);
        assertThat(ModelPrices.lookup("anthropic", "Claude-Sonnet-4-5-latest")).contains(sonnet);
        assertThat(ModelPrices.lookup("openai", "gpt-4o-2024-08-06")).contains(new ModelPrice(2.5, 10, 1.25, 2.5));
        // A longer name is another model: never the price of a shorter one.
        assertThat(ModelPrices.lookup("openai", "gpt-4o-mini")).contains(new ModelPrice(0.15, 0.6, 0.075, 0.15));
        assertThat(ModelPrices.lookup("anthropic", "claude-opus-4-6")).isEmpty();
        assertThat(ModelPrices.lookup("openai", "gpt-4o-audio-preview")).isEmpty();
        assertThat(ModelPrices.lookup("openai", "gpt-4o-2024")).isEmpty();
        assertThat(ModelPrices.lookup("ollama", "gpt-4o")).isEqualTo(Optional.empty());
        assertThat(ModelPrices.lookup("anthropic", "gpt-4o")).isEmpty();
    }

    @Test
    void geminiModelsHaveTheirPriceForPromptsUpTo200kTokensUnderTheirNameOrAStableVersion() {
        ModelPrice pro = ModelPrices.lookup("gemini", "gemini-2.5-pro").orElseThrow();
        assertThat(pro).isEqualTo(new ModelPrice(1.25, 10, 0.125, 1.25));
        assertThat(ModelPrices.lookup("Gemini", "models/gemini-2.5-pro")).contains(pro);
        assertThat(ModelPrices.lookup("gemini", "gemini-2.5-flash")).contains(new ModelPrice(0.30, 2.50, 0.03, 0.30));
        assertThat(ModelPrices.lookup("gemini", "gemini-2.5-flash-lite"))
                .contains(new ModelPrice(0.10, 0.40, 0.01, 0.10));
        assertThat(ModelPrices.lookup("gemini", "gemini-2.0-flash-001"))
                .contains(new ModelPrice(0.10, 0.40, 0.025, 0.10));
        assertThat(ModelPrices.lookup("gemini", "gemini-2.5-flash-latest")).isPresent();
        // Previews and other names have no price; the version suffix is Gemini's alone.
        assertThat(ModelPrices.lookup("gemini", "gemini-2.5-flash-preview-05-20")).isEmpty();
        assertThat(ModelPrices.lookup("gemini", "gemini-3-pro")).isEmpty();
        assertThat(ModelPrices.lookup("openai", "gpt-4o-001")).isEmpty();
        assertThat(ModelPrices.lookup("openai", "gemini-2.5-pro")).isEmpty();
        // Thoughts are output: 1,000 uncached + 2,000 cached input and 500 output tokens on 2.5 Pro.
        assertThat(pro.cost(new Usage(3000, 500, 2000, 0, 0)))
                .isCloseTo((1000 * 1.25 + 2000 * 0.125 + 500 * 10) / 1e6, Offset.offset(1e-12));
    }

    @Test
    void theCostSplitsInputIntoUncachedCacheReadAndCacheWriteTokens() {
        ModelPrice price = new ModelPrice(3, 15, 0.3, 3.75);
        Usage usage = new Usage(1_000_000, 100_000, 200_000, 300_000, 0);
        assertThat(price.cost(usage)).isCloseTo(0.5 * 3 + 0.2 * 0.3 + 0.3 * 3.75 + 0.1 * 15, Offset.offset(1e-9));
        assertThat(price.priced(usage).cost()).isEqualTo(price.cost(usage));
        // A provider's own figure is kept.
        Usage reported = new Usage(10, 10, 0, 0, 0.5);
        assertThat(price.priced(reported)).isSameAs(reported);
        // Counts a provider got wrong (more cached than input) never give a negative cost.
        assertThat(price.cost(new Usage(10, 0, 20, 0, 0))).isCloseTo(20 * 0.3 / 1e6, Offset.offset(1e-15));
        assertThat(ModelPrice.of(2, 8)).isEqualTo(new ModelPrice(2, 8, 2, 2));
        assertThat(ModelPrice.FREE.cost(usage)).isZero();
    }

    @Test
    void aPriceMustBeAFiniteNumberNotBelowZero() {
        assertThatThrownBy(() -> new ModelPrice(-1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inputPerMillion");
        assertThatThrownBy(() -> new ModelPrice(1, Double.NaN, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outputPerMillion");
        assertThatThrownBy(() -> new ModelPrice(1, 1, Double.POSITIVE_INFINITY, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cacheReadPerMillion");
    }

    @Test
    void bedrockIdsOfClaudeModelsHaveAnthropicsListPriceAndTheRegionalPremiumFromSonnet45On() {
        ModelPrice haiku3 = ModelPrices.lookup("anthropic", "claude-3-haiku").orElseThrow();
        assertThat(ModelPrices.lookup("bedrock", "anthropic.claude-3-haiku-20240307-v1:0")).contains(haiku3);
        assertThat(ModelPrices.lookup("Bedrock", "us.anthropic.claude-3-haiku-20240307-v1:0")).contains(haiku3);
        assertThat(ModelPrices.lookup("bedrock", "arn:aws:bedrock:us-east-1::foundation-model/"
                + "anthropic.claude-3-haiku-20240307-v1:0")).contains(haiku3);
        ModelPrice sonnet = ModelPrices.lookup("anthropic", "claude-sonnet-4-5").orElseThrow();
        assertThat(ModelPrices.lookup("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0")).contains(sonnet);
        ModelPrice regional = ModelPrices.lookup("bedrock", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0")
                .orElseThrow();
        assertThat(regional.inputPerMillion()).isCloseTo(3.3, Offset.offset(1e-9));
        assertThat(regional.outputPerMillion()).isCloseTo(16.5, Offset.offset(1e-9));
        assertThat(regional.cacheReadPerMillion()).isCloseTo(0.33, Offset.offset(1e-9));
        assertThat(regional.cacheWritePerMillion()).isCloseTo(4.125, Offset.offset(1e-9));
        assertThat(ModelPrices.lookup("bedrock", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
                + "us.anthropic.claude-sonnet-4-5-20250929-v1:0")).contains(regional);
        // Other models, unknown Claude models, provisioned variants and application profiles have no price.
        assertThat(ModelPrices.lookup("bedrock", "amazon.nova-pro-v1:0")).isEmpty();
        assertThat(ModelPrices.lookup("bedrock", "anthropic.claude-opus-9-20300101-v1:0")).isEmpty();
        assertThat(ModelPrices.lookup("bedrock", "anthropic.claude-3-haiku-20240307-v1:0:200k")).isEmpty();
        assertThat(ModelPrices.lookup("bedrock", "arn:aws:bedrock:us-east-1:123456789012:"
                + "application-inference-profile/a1b2c3")).isEmpty();
        assertThat(ModelPrices.lookup("bedrock", "claude-sonnet-4-5")).isEmpty();
    }
}
