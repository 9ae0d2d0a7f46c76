package dev.agentrt.core.model;

/**
 * What a hosted model charges, per million tokens, in the provider's currency (US dollars for the
 * built-in table, {@link ModelPrices}). A hosted model client with a price reports each reply's
 * {@link Usage#cost()}, which {@code Budget.maxCost} is checked against.
 *
 * <pre>{@code
 * ChatModel model = OpenAiChatModel.builder().model("my-fine-tune")
 *         .price(new ModelPrice(3.0, 12.0, 1.5, 3.0))
 *         .build();
 * }</pre>
 *
 * @param inputPerMillion prompt tokens neither read from nor written to the provider's cache
 * @param outputPerMillion generated tokens (reasoning tokens included, as the providers bill them)
 * @param cacheReadPerMillion prompt tokens served from the cache
 * @param cacheWritePerMillion prompt tokens written to the cache
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion, double cacheReadPerMillion,
        double cacheWritePerMillion) {
    /** No charge: a client built with it reports a cost of 0, as one without a price does. */
    public static final ModelPrice FREE = new ModelPrice(0, 0, 0, 0);

    public ModelPrice {
        check(inputPerMillion, "inputPerMillion");
        check(outputPerMillion, "outputPerMillion");
        check(cacheReadPerMillion, "cacheReadPerMillion");
        check(cacheWritePerMillion, "cacheWritePerMillion");
    }

    /** Input and output prices; cached tokens cost what input tokens cost. */
    public static ModelPrice of(double inputPerMillion, double outputPerMillion) {
        return new ModelPrice(inputPerMillion, outputPerMillion, inputPerMillion, inputPerMillion);
    }

    /**
     * The cost of {@code usage}: its input tokens that were neither read from nor written to the
     * cache at the input price, cache reads and writes at theirs, output at the output price.
     */
    public double cost(Usage usage) {
        long cached = usage.cacheReadTokens() + usage.cacheWriteTokens();
        long uncached = Math.max(0, usage.inputTokens() - cached);
        double cost = uncached * inputPerMillion + usage.cacheReadTokens() * cacheReadPerMillion
                + usage.cacheWriteTokens() * cacheWritePerMillion + usage.outputTokens() * outputPerMillion;
        return cost / 1_000_000.0;
    }

    /** {@code usage} with its cost, unless it already reports one (a provider's own figure wins). */
    public Usage priced(Usage usage) {
        if (usage.cost() > 0) {
            return usage;
        }
        return usage.withCost(cost(usage));
    }

    private static void check(double value, String name) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, was " + value);
        }
    }
}
