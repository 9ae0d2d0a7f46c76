package dev.agentrt.core.model.openai;

import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.internal.provider.HostedClient;
import dev.agentrt.core.internal.provider.HostedOptions;
import dev.agentrt.core.internal.provider.HostedSettings;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.HostedModelBuilder;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ModelPrices;
import dev.agentrt.core.model.ModelReachability;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A client for the OpenAI Responses API ({@code POST /v1/responses}), OpenAI's newer interface beside
 * Chat Completions ({@link OpenAiChatModel}), and the one that keeps a reasoning model's reasoning
 * between the turns of a tool-using conversation.
 *
 * <pre>{@code
 * ChatModel gpt = OpenAiResponsesModel.builder()
 *         .model("gpt-5-mini")            // key from OPENAI_API_KEY
 *         .reasoningEffort("low")
 *         .build();
 * }</pre>
 *
 * <p>Messages go as input items: system, user and assistant messages by role, an assistant turn's
 * tool calls as {@code function_call} items and each tool result as a {@code function_call_output}.
 * Replies stream as semantic server-sent events ({@code response.output_text.delta},
 * {@code response.function_call_arguments.delta}, {@code response.output_item.done},
 * {@code response.completed}...; unknown events ignored); a reply that ends without
 * {@code response.completed} or {@code response.incomplete} is an error, and so are
 * {@code response.failed} and {@code error} events, retryable when their code says the condition may
 * pass (a server error, a rate limit, an overload). Usage counts cached input and reasoning tokens.
 * Structured output uses {@code text.format} with a strict JSON Schema.
 *
 * <p>Reasoning: nothing is stored on OpenAI's servers unless {@link Builder#store(boolean)} says so;
 * a reasoning model's reasoning items then come back sealed ({@code encrypted_content}, asked for
 * with {@code include}) and are kept in the assistant message's
 * {@link dev.agentrt.core.model.Reasoning reasoning}, to be sent back in place, before the function
 * calls of their turn, on every later request. Their readable summaries
 * ({@link Builder#reasoningEffort}) stream as {@link ChatEvent.ReasoningDelta}s.
 *
 * <p>Chaining ({@link Builder#chainResponses(boolean)}, off unless set): requests store their
 * responses, and a request whose conversation continues a reply this model gave (the same messages,
 * then that reply) sends {@code previous_response_id} and only the messages after that reply; any
 * other request sends the whole conversation.
 *
 * <p>Thread-safe: one instance serves any number of concurrent requests. The API key is sent only
 * in the {@code Authorization} header and never appears in a message, an exception or
 * {@link #toString()}.
 */
public final class OpenAiResponsesModel implements HostedChatModel {
    /** The OpenAI API; {@code OPENAI_BASE_URL} overrides it when no base URL is set. */
    public static final String DEFAULT_BASE_URL = OpenAiChatModel.DEFAULT_BASE_URL;

    private static final Pattern EFFORT = Pattern.compile("[a-z_]{1,32}");
    /** How many replies a chaining model remembers, the most recent kept. */
    private static final int CHAIN_MEMORY = 256;

    /** The Responses-specific settings. */
    record Settings(@Nullable String reasoningEffort, boolean store, boolean chain) {}

    private final HostedOptions options;
    private final Settings settings;
    private final HostedClient client;
    private final ResponsesCodec codec;
    private final @Nullable Chain chain;

    private OpenAiResponsesModel(HostedOptions snapshot, HostedSettings s, Settings settings) {
        if (s.apiKey() == null && "api.openai.com".equalsIgnoreCase(s.baseUrl().getHost())) {
            throw new IllegalArgumentException("the OpenAI API needs an API key: set apiKey(...) or OPENAI_API_KEY");
        }
        this.options = snapshot;
        this.settings = settings;
        HostedSettings priced = s.price() != null
                ? s
                : s.withPrice(ModelPrices.lookup("openai", s.model()).orElse(null));
        ResponsesCodec[] made = new ResponsesCodec[1];
        this.client = new HostedClient(priced,
                new HostedClient.Api("OpenAI Responses API at " + s.baseUrl().getHost(), "/responses",
                        "text/event-stream", "Authorization", "Bearer ", Map.of()),
                http -> made[0] = new ResponsesCodec(http, s, settings));
        this.codec = Objects.requireNonNull(made[0]);
        this.chain = settings.chain() ? new Chain() : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this model's settings, for a variant. */
    public Builder toBuilder() {
        var builder = new Builder();
        HostedOptions.of(builder).copyFrom(options);
        builder.reasoningEffort = settings.reasoningEffort();
        builder.store = settings.store();
        builder.chain = settings.chain();
        return builder;
    }

    /** The reasoning effort requests ask for, or null for the model's default. */
    public @Nullable String reasoningEffort() {
        return settings.reasoningEffort();
    }

    /** Whether OpenAI stores the responses (for {@code previous_response_id} and its dashboard). */
    public boolean stores() {
        return settings.store();
    }

    @Override
    public String modelName() {
        return client.modelName();
    }

    @Override
    public URI baseUrl() {
        return client.baseUrl();
    }

    @Override
    public boolean supportsResponseFormat() {
        return client.supportsResponseFormat();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Subscribing only schedules the request: its body is built and sent on Reactor's parallel
     * scheduler, and the events arrive there too, never on the HTTP client's threads.
     */
    @Override
    public Flux<ChatEvent> stream(ChatRequest request) {
        Chain own = chain;
        if (own == null) {
            return client.stream(request);
        }
        return Flux.defer(() -> {
            Chain.Link link = own.link(request.messages());
            var reply = new ChainedReply(own, request.messages());
            return client
                    .stream(() -> codec.body(request, true, link.previousResponseId(), link.firstNew()),
                            requestId -> codec.decoder(requestId, reply::named))
                    .doOnNext(reply::accept);
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sends a non-streamed request (a chaining model streams it and assembles the reply); as with
     * {@link #stream}, the body is built and sent, and the reply decoded and delivered, on Reactor's
     * parallel scheduler.
     */
    @Override
    public Mono<ChatResponse> call(ChatRequest request) {
        return chain != null ? HostedChatModel.super.call(request) : client.call(request);
    }

    /**
     * Asks the provider's model list, {@code GET {baseUrl}/models}, free: up when it answers with a model list, down (with the HTTP status, the
     * error's kind and never the key) otherwise. One request without retries, within the response
     * {@code timeout}; never billed.
     */
    @Override
    public Mono<ModelReachability> reachability() {
        return client.reachability("/models", "data");
    }

    @Override
    public Flux<ChatEvent> replay(Publisher<ByteBuffer> body) {
        return client.replay(body);
    }

    /** The JSON body {@code request} would be sent with, without sending it. */
    String body(ChatRequest request, boolean stream) {
        return codec.body(request, stream);
    }

    @Override
    public String toString() {
        return client.describe("OpenAiResponsesModel");
    }

    /**
     * The replies a chaining model gave, by the conversation they complete (the request's messages
     * and the reply), with the ids of their stored responses; the most recent {@value #CHAIN_MEMORY}.
     */
    private static final class Chain {
        private final Map<List<Message>, String> responses = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<List<Message>, String> eldest) {
                return size() > CHAIN_MEMORY;
            }
        };

        /** Where a request continues: the stored response that holds its messages up to its last assistant turn. */
        record Link(@Nullable String previousResponseId, int firstNew) {
            static final Link NONE = new Link(null, 0);
        }

        Link link(List<Message> messages) {
            int last = -1;
            for (int i = messages.size() - 1; i >= 0; i--) {
                if (messages.get(i) instanceof Message.Assistant) {
                    last = i;
                    break;
                }
            }
            if (last < 0) {
                return Link.NONE;
            }
            String id;
            synchronized (responses) {
                id = responses.get(messages.subList(0, last + 1));
            }
            return id == null ? Link.NONE : new Link(id, last + 1);
        }

        void remember(List<Message> conversation, String responseId) {
            synchronized (responses) {
                responses.put(conversation, responseId);
            }
        }
    }

    /** One reply of a chaining model, assembled as it streams, remembered with its response id once it finishes. */
    private static final class ChainedReply {
        private final Chain chain;
        private final List<Message> request;
        private final ReplyAssembler assembler = new ReplyAssembler();
        private volatile @Nullable String responseId;

        ChainedReply(Chain chain, List<Message> request) {
            this.chain = chain;
            this.request = request;
        }

        void named(String id) {
            responseId = id;
        }

        void accept(ChatEvent event) {
            assembler.accept(event);
            String id = responseId;
            if (event instanceof ChatEvent.Finish && id != null) {
                var conversation = new ArrayList<Message>(request.size() + 1);
                conversation.addAll(request);
                conversation.add(assembler.finish().message());
                chain.remember(List.copyOf(conversation), id);
            }
        }
    }

    /** Builds an {@link OpenAiResponsesModel}; {@code model} is required. Not thread-safe. */
    public static final class Builder extends HostedModelBuilder<Builder> {
        private @Nullable String reasoningEffort;
        private boolean store;
        private boolean chain;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * How hard a reasoning model thinks ({@code "minimal"}, {@code "low"}, {@code "medium"},
         * {@code "high"}, or a level the model added since), sent as {@code reasoning.effort} with
         * readable summaries ({@code summary: "auto"}); {@code null} (the default) leaves the
         * model's default and asks for no summaries. Models that do not reason refuse it.
         */
        public Builder reasoningEffort(@Nullable String effort) {
            if (effort != null && !EFFORT.matcher(effort).matches()) {
                throw new IllegalArgumentException("reasoningEffort must be a level such as low, medium or high: '"
                        + effort + "'");
            }
            this.reasoningEffort = effort;
            return this;
        }

        /**
         * Whether OpenAI stores the responses ({@code store}; false unless set). Unstored, a
         * reasoning model's reasoning comes back sealed and goes back with every later request;
         * stored, reasoning items are sent back by id. {@link #chainResponses} needs stored responses.
         */
        public Builder store(boolean value) {
            this.store = value;
            return this;
        }

        /**
         * Whether a request that continues a reply of this model sends only the new messages, with
         * {@code previous_response_id} naming that reply's stored response (off unless set). Turns
         * on {@link #store}.
         */
        public Builder chainResponses(boolean value) {
            this.chain = value;
            return this;
        }

        /**
         * The model. The key is read from {@code OPENAI_API_KEY} and the base URL from
         * {@code OPENAI_BASE_URL} when not set here; a base URL names the API's root, such as
         * {@code https://api.openai.com/v1}.
         *
         * @throws IllegalArgumentException when no model name was set, or the OpenAI API has no key
         */
        public OpenAiResponsesModel build() {
            HostedOptions options = HostedOptions.of(this);
            HostedSettings s = options.resolve("OPENAI_API_KEY", "OPENAI_BASE_URL", DEFAULT_BASE_URL, "gpt-5-mini");
            return new OpenAiResponsesModel(options.copy(), s, new Settings(reasoningEffort, store || chain, chain));
        }
    }
}
