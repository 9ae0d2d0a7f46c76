package dev.agentrt.tools.mcp;

import java.util.Objects;

/**
 * How {@link McpTools.Builder#sampling} answers a server's {@code sampling/createMessage}: who approves each
 * request, the most tokens one reply may have, and the tokens all of a connection's requests may use together.
 *
 * <pre>{@code
 * McpTools.builder("research", spec)
 *     .sampling(model, McpSamplingOptions.approvedBy(req -> ui.confirm(req.summary())
 *                     .map(yes -> yes ? Decision.approveOnce() : Decision.deny("the user said no")))
 *             .withMaxTokens(1_000)
 *             .withTokenBudget(50_000))
 *     .connect();
 * }</pre>
 *
 * @param maxTokens the cap on one reply: a request asking for more gets at most this many (the protocol lets a
 *     client sample fewer tokens than asked); 4,096 by default
 * @param tokenBudget the tokens (input and output, as the model reports them) all the sampling requests of one
 *     {@link McpTools} may use, across reconnects; 100,000 by default. A request is refused, without calling the
 *     model, when less is left than its {@code maxTokens} (after the cap); see {@link McpTools.Builder#sampling}
 * @param approver asked before each request reaches the model
 */
public record McpSamplingOptions(int maxTokens, long tokenBudget, McpSamplingApprover approver) {
    public static final int DEFAULT_MAX_TOKENS = 4_096;
    public static final long DEFAULT_TOKEN_BUDGET = 100_000;

    public McpSamplingOptions {
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
        }
        if (tokenBudget <= 0) {
            throw new IllegalArgumentException("tokenBudget must be positive, was " + tokenBudget);
        }
        Objects.requireNonNull(approver, "approver");
    }

    /**
     * The default caps, each request asked of {@code approver}. There is no approve-everything default: an
     * application that trusts a server with its model says so, {@code req -> Mono.just(Decision.approveOnce())}.
     */
    public static McpSamplingOptions approvedBy(McpSamplingApprover approver) {
        return new McpSamplingOptions(DEFAULT_MAX_TOKENS, DEFAULT_TOKEN_BUDGET, approver);
    }

    public McpSamplingOptions withMaxTokens(int value) {
        return new McpSamplingOptions(value, tokenBudget, approver);
    }

    public McpSamplingOptions withTokenBudget(long value) {
        return new McpSamplingOptions(maxTokens, value, approver);
    }

    public McpSamplingOptions withApprover(McpSamplingApprover value) {
        return new McpSamplingOptions(maxTokens, tokenBudget, value);
    }
}
