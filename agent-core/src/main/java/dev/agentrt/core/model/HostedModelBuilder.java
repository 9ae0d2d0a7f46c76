package dev.agentrt.core.model;

import dev.agentrt.core.internal.provider.HostedOptions;
import org.jspecify.annotations.Nullable;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The settings every hosted model client shares: model name, API key, base URL, timeouts,
 * generation defaults, extra headers and retry policy. Each provider's builder extends it and adds
 * {@code build()}.
 *
 * <pre>{@code
 * ChatModel claude = AnthropicChatModel.builder()
 *         .model("claude-sonnet-4-5")
 *         .timeout(Duration.ofSeconds(60))
 *         .retryPolicy(RetryPolicy.DEFAULT)
 *         .build();
 * }</pre>
 *
 * <p>Timeouts: {@code connectTimeout} bounds opening a connection; {@code timeout} bounds the wait
 * for the response headers of one attempt; {@code inactivityTimeout} bounds the silence between two
 * pieces of a body (the JDK's request timeout does not cover a streamed body).
 *
 * <p>Not thread-safe: configure a builder on one thread; {@code build()} copies the settings into
 * an immutable model, and later changes to the builder do not reach it.
 *
 * @param <B> the provider's builder
 */
public abstract class HostedModelBuilder<B extends HostedModelBuilder<B>> {
    static {
        // The providers' build() reads the settings through the internal HostedOptions.of, so that no
        // member a subclass can see names an internal type.
        HostedOptions.bind(builder -> builder.options);
    }

    private final HostedOptions options = new HostedOptions();

    protected HostedModelBuilder() {}

    /** This builder, as its own type. */
    protected abstract B self();

    /** The provider's model name, for example {@code claude-sonnet-4-5} or {@code gpt-4.1-mini}. */
    public B model(String name) {
        options.model(name);
        return self();
    }

    /**
     * The API key. Without one, the provider's conventional environment variable is read at
     * {@code build()}, unless {@link #baseUrl} pointed the client at another server in code: a key
     * from the environment is sent only to the provider's API or to the base URL the environment
     * names.
     */
    public B apiKey(String key) {
        options.apiKey(key);
        return self();
    }

    /** Where the API lives; each provider has a default (and reads its conventional environment variable). */
    public B baseUrl(String url) {
        options.baseUrl(url);
        return self();
    }

    /** The longest wait for a connection to open (10 s unless set). */
    public B connectTimeout(Duration value) {
        options.connectTimeout(value);
        return self();
    }

    /** The longest wait for the response headers of one attempt. */
    public B timeout(Duration value) {
        options.timeout(value);
        return self();
    }

    /** The longest silence between two pieces of a streamed (or collected) body. */
    public B inactivityTimeout(Duration value) {
        options.inactivityTimeout(value);
        return self();
    }

    /** Output token limit for requests whose options set none. */
    public B maxTokens(int value) {
        options.maxTokens(value);
        return self();
    }

    /** Sampling temperature for requests whose options set none. */
    public B temperature(double value) {
        options.temperature(value);
        return self();
    }

    /** Nucleus sampling for requests whose options set none. */
    public B topP(double value) {
        options.topP(value);
        return self();
    }

    /** A header sent with every request (an organisation id, a gateway's routing key...). */
    public B header(String name, String value) {
        options.header(name, value);
        return self();
    }

    /** How failed requests are retried ({@link RetryPolicy#DEFAULT} unless set). */
    public B retryPolicy(RetryPolicy value) {
        options.retryPolicy(value);
        return self();
    }

    /**
     * A JDK client to use instead of the one shared by every model built without one (for a proxy,
     * an executor or TLS settings of your choice). Its executor then reads and decodes the replies;
     * the subscriber's code still runs on Reactor's parallel scheduler, never there.
     */
    public B httpClient(HttpClient client) {
        options.httpClient(client);
        return self();
    }

    /**
     * Whether structured output ({@code task.returning(...)}) uses the provider's native JSON
     * Schema mode (the default) or, for models and servers without it, a final-answer tool run by
     * the agent loop.
     */
    public B nativeStructuredOutput(boolean value) {
        options.nativeStructuredOutput(value);
        return self();
    }

    /** The largest response body accepted, streamed or not (64 MiB unless set); a larger one is an error. */
    public B maxResponseBytes(long value) {
        options.maxResponseBytes(value);
        return self();
    }

    /**
     * What the model charges, for the {@link Usage#cost()} of each reply (and so for
     * {@code Budget.maxCost}). Unless set, the price comes from {@link ModelPrices} when it knows
     * the model, and otherwise every reply costs 0. {@link ModelPrice#FREE} turns costs off;
     * {@code null} goes back to the table's price.
     */
    public B price(@Nullable ModelPrice value) {
        options.price(value);
        return self();
    }

    /**
     * What happens to an image or a sound (see {@link Media}) this provider's API cannot take in the place it
     * appears (audio for Anthropic, an image URL for Ollama, ...). By default ({@code false}) the request fails
     * with a {@code ModelException} naming the model and the kind of media; with {@code true} the item is replaced
     * by a line of text saying what was there and that it was not sent. Never dropped silently.
     */
    public B describeUnsupportedMedia(boolean value) {
        options.describeUnsupportedMedia(value);
        return self();
    }

    /** Where environment variables are read from ({@link System#getenv} unless set; for tests and configuration layers). */
    public B environment(UnaryOperator<@Nullable String> lookup) {
        options.environment(lookup);
        return self();
    }
}
