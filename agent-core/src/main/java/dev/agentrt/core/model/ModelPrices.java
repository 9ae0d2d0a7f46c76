package dev.agentrt.core.model;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The list prices this release knows, per provider and model, in US dollars per million tokens:
 * what a hosted model client reports costs with when its builder was given no
 * {@code price(...)}. Prices change; this table is a snapshot of the providers' published prices
 * (Anthropic, OpenAI and the Gemini Developer API, standard tier, as listed in late 2025), so set your
 * own where it matters.
 *
 * <p>A model matches its own name, or its name with a release date ({@code -20250929},
 * {@code -2024-08-06}) or {@code -latest} after it, and a Gemini model its name with a stable version
 * ({@code -001}) after it; nothing else (a model released after this table has no price, so its cost
 * is reported as 0 rather than guessed). Anthropic's cache prices follow its rule (reads a tenth of
 * the input price, writes 1.25 times for five-minute entries); OpenAI's cached input has its own
 * price and nothing is charged for writing. Gemini's cached input (implicit or explicit caching) has
 * its own price and nothing is charged per token for writing (explicit caches' hourly storage is
 * not a token price, and is not counted). Gemini 2.5 Pro charges more for a prompt above 200,000
 * tokens ($2.50 input, $15 output, $0.25 cache reads); the table has the price of prompts up to
 * 200,000 tokens, which is what agent turns send, so a longer prompt's cost is reported low.
 *
 * <p>Amazon Bedrock ({@code "bedrock"}) bills the Claude models at Anthropic's list prices, so a
 * Bedrock model id ({@code anthropic.claude-sonnet-4-5-20250929-v1:0}), a cross-region inference
 * profile id ({@code us.}, {@code eu.}, {@code apac.}, {@code global.}... before it) or the ARN of
 * either has the price of the Claude model it names. Anthropic's pricing note says that from Claude
 * Sonnet 4.5 on (Sonnet, Haiku and Opus 4.5 here) Bedrock's regional endpoints cost 10% more than
 * its global ones: such an id without {@code global.} has that premium on every price. Other models
 * on Bedrock, and application inference profiles, have no price here.
 */
public final class ModelPrices {
    private static final Pattern DATED = Pattern.compile("(.+?)-(?:\\d{8}|\\d{4}-\\d{2}-\\d{2}|latest)");

    private static final Map<String, ModelPrice> ANTHROPIC = Map.ofEntries(
            anthropic("claude-opus-4-5", 5, 25),
            anthropic("claude-opus-4-1", 15, 75),
            anthropic("claude-opus-4", 15, 75),
            anthropic("claude-sonnet-4-5", 3, 15),
            anthropic("claude-sonnet-4", 3, 15),
            anthropic("claude-3-7-sonnet", 3, 15),
            anthropic("claude-haiku-4-5", 1, 5),
            anthropic("claude-3-5-haiku", 0.80, 4),
            anthropic("claude-3-haiku", 0.25, 1.25));

    private static final Map<String, ModelPrice> OPENAI = Map.ofEntries(
            openAi("gpt-5", 1.25, 0.125, 10),
            openAi("gpt-5-mini", 0.25, 0.025, 2),
            openAi("gpt-5-nano", 0.05, 0.005, 0.40),
            openAi("gpt-4.1", 2, 0.50, 8),
            openAi("gpt-4.1-mini", 0.40, 0.10, 1.60),
            openAi("gpt-4.1-nano", 0.10, 0.025, 0.40),
            openAi("gpt-4o", 2.50, 1.25, 10),
            openAi("gpt-4o-mini", 0.15, 0.075, 0.60),
            openAi("o3", 2, 0.50, 8),
            openAi("o3-mini", 1.10, 0.55, 4.40),
            openAi("o4-mini", 1.10, 0.275, 4.40));

    /** A Bedrock id of a Claude model: an optional geography, {@code anthropic.}, the model, its version. */
    private static final Pattern BEDROCK = Pattern.compile(
            "(?:([a-z]{2,6}(?:-[a-z]+)?)\\.)?anthropic\\.(claude-[a-z0-9.-]+?)-v\\d+(?::\\d+)?");
    /** The models whose regional Bedrock endpoints cost 10% more than the global one. */
    private static final Set<String> REGIONAL_PREMIUM = Set.of("claude-sonnet-4-5",
            "claude-haiku-4-5", "claude-opus-4-5");
    /** Gemini's price for prompts up to 200,000 tokens; text, image and video input (audio costs more). */
    private static final Map<String, ModelPrice> GEMINI = Map.ofEntries(
            gemini("gemini-2.5-pro", 1.25, 0.125, 10),
            gemini("gemini-2.5-flash", 0.30, 0.03, 2.50),
            gemini("gemini-2.5-flash-lite", 0.10, 0.01, 0.40),
            gemini("gemini-2.0-flash", 0.10, 0.025, 0.40),
            gemini("gemini-2.0-flash-lite", 0.075, 0.075, 0.30));
    private static final Pattern GEMINI_VERSION = Pattern.compile("(.+?)-\\d{3}");

    private ModelPrices() {}

    /**
     * The price of {@code model} at {@code provider} ({@code "anthropic"}, {@code "openai"} or
     * {@code "gemini"}, {@code "bedrock"}, any case), if this table has it.
     */
    public static Optional<ModelPrice> lookup(String provider, String model) {
        if (provider.equalsIgnoreCase("bedrock")) {
            return bedrock(model);
        }
        Map<String, ModelPrice> table = switch (provider.toLowerCase(Locale.ROOT)) {
            case "anthropic" -> ANTHROPIC;
            case "openai" -> OPENAI;
            case "gemini" -> GEMINI;
            default -> Map.of();
        };
        String name = model.strip().toLowerCase(Locale.ROOT);
        if (table == GEMINI && name.startsWith("models/")) {
            name = name.substring("models/".length());
        }
        ModelPrice exact = table.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        var dated = DATED.matcher(name);
        if (dated.matches()) {
            return Optional.ofNullable(table.get(dated.group(1)));
        }
        var version = GEMINI_VERSION.matcher(name);
        return table == GEMINI && version.matches()
                ? Optional.ofNullable(table.get(version.group(1)))
                : Optional.empty();
    }

    private static Optional<ModelPrice> bedrock(String model) {
        String id = model.strip().toLowerCase(Locale.ROOT);
        if (id.startsWith("arn:")) {
            // arn:aws:bedrock:<region>:<account>:inference-profile/<id>, or foundation-model/<id>
            int slash = id.lastIndexOf('/');
            if (slash < 0 || !(id.contains(":inference-profile/") || id.contains(":foundation-model/"))) {
                return Optional.empty();
            }
            id = id.substring(slash + 1);
        }
        var m = BEDROCK.matcher(id);
        if (!m.matches()) {
            return Optional.empty();
        }
        String claude = m.group(2);
        var dated = DATED.matcher(claude);
        String name = dated.matches() ? dated.group(1) : claude;
        ModelPrice list = ANTHROPIC.get(name);
        if (list == null) {
            return Optional.empty();
        }
        if (REGIONAL_PREMIUM.contains(name) && !"global".equals(m.group(1))) {
            return Optional.of(new ModelPrice(list.inputPerMillion() * 1.1, list.outputPerMillion() * 1.1,
                    list.cacheReadPerMillion() * 1.1, list.cacheWritePerMillion() * 1.1));
        }
        return Optional.of(list);
    }

    /** Anthropic's cache rule: reads a tenth of the input price, five-minute writes 1.25 times it. */
    private static Map.Entry<String, ModelPrice> anthropic(String model, double input, double output) {
        return Map.entry(model, new ModelPrice(input, output, input / 10, input * 1.25));
    }

    /** Gemini: cached input at its own price, no per-token charge for writing to the cache. */
    private static Map.Entry<String, ModelPrice> gemini(String model, double input, double cached, double output) {
        return Map.entry(model, new ModelPrice(input, output, cached, input));
    }

    private static Map.Entry<String, ModelPrice> openAi(String model, double input, double cached, double output) {
        return Map.entry(model, new ModelPrice(input, output, cached, input));
    }
}
