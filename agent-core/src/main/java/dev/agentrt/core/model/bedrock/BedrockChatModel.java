package dev.agentrt.core.model.bedrock;

import dev.agentrt.core.internal.provider.HostedClient;
import dev.agentrt.core.internal.provider.HostedOptions;
import dev.agentrt.core.internal.provider.HostedSettings;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.HostedModelBuilder;
import dev.agentrt.core.model.ModelPrices;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A client for Amazon Bedrock's Converse API: {@code Converse} for {@link #call} and
 * {@code ConverseStream} for {@link #stream}, with any model Bedrock serves through it (a model id,
 * an inference profile id such as {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0}, or an ARN).
 *
 * <pre>{@code
 * ChatModel claude = BedrockChatModel.builder()
 *         .model("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
 *         .region("us-east-1")                 // else AWS_REGION, AWS_DEFAULT_REGION or the profile's region
 *         .build();                            // credentials as the AWS SDKs find them (below)
 * }</pre>
 *
 * <p>Requests are signed with AWS Signature Version 4 (service {@code bedrock}), each attempt anew
 * over the exact bytes sent. Credentials, in this order: {@link Builder#credentials} in code, or a
 * Bedrock API key ({@link Builder#apiKey}, sent as a bearer token); then, unless {@link
 * Builder#profile} names a profile, {@code AWS_BEARER_TOKEN_BEDROCK}, and {@code AWS_ACCESS_KEY_ID}
 * with {@code AWS_SECRET_ACCESS_KEY} (and {@code AWS_SESSION_TOKEN}); then the static keys of the
 * profile ({@code AWS_PROFILE}, else {@code default}) in {@code ~/.aws/credentials}
 * ({@code AWS_SHARED_CREDENTIALS_FILE}) or {@code ~/.aws/config} ({@code AWS_CONFIG_FILE}). They are
 * read once, at {@code build()}: temporary credentials that expire need a new model. Single sign-on,
 * assumed roles, {@code credential_process} and instance metadata are not read. Credentials from the
 * environment or the files are used only for AWS's own endpoints ({@code *.amazonaws.com}) or the
 * endpoint {@code AWS_ENDPOINT_URL_BEDROCK_RUNTIME} names, never for a server {@code baseUrl} points
 * to in code; give such a server credentials in code.
 *
 * <p>A streamed reply is an AWS event stream ({@code application/vnd.amazon.eventstream}): binary
 * messages whose checksums are verified and whose size is bounded; a malformed one, or an exception
 * the service sends inside the reply ({@code throttlingException}, {@code modelStreamErrorException}
 * and the like, retryable; {@code validationException}, not), is a {@code ModelException}. Usage
 * counts cache reads and writes as input, as the SPI's {@code Usage} does. Converse has no JSON
 * Schema mode here: structured output always uses the agent's final-answer tool, whatever
 * {@code nativeStructuredOutput} says. Costs come from {@link ModelPrices} for the Claude models it
 * knows, else from {@code price(...)}.
 *
 * <p>Thread-safe; the secret key, session token and API key never appear in a message, an exception
 * or {@link #toString()}.
 */
public final class BedrockChatModel implements HostedChatModel {
    /** The SigV4 service name of the Bedrock runtime. */
    public static final String SIGNING_SERVICE = "bedrock";
    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private final HostedOptions options;
    private final @Nullable String region;
    private final @Nullable AwsCredentials credentials;
    private final @Nullable String profile;
    private final boolean keyInCode;
    private final String signingRegion;
    private final HostedClient client;

    private BedrockChatModel(Builder b, HostedOptions snapshot, HostedSettings settings, String signingRegion,
            @Nullable AwsCredentials signWith) {
        this.options = snapshot;
        this.region = b.region;
        this.credentials = b.credentials;
        this.profile = b.profile;
        this.keyInCode = b.keyInCode;
        this.signingRegion = signingRegion;
        String id = SigV4.encode(settings.model(), true);
        var api = new HostedClient.Api("Bedrock", "/model/" + id + "/converse-stream", "/model/" + id + "/converse",
                "application/vnd.amazon.eventstream", "Authorization", "Bearer ", Map.of());
        if (signWith == null) {
            this.client = new HostedClient(settings, api, http -> new BedrockCodec(http, settings));
        } else {
            var signer = new SigV4(signWith, signingRegion, SIGNING_SERVICE, Clock.systemUTC());
            String token = signWith.sessionToken();
            this.client = new HostedClient(settings, api, (uri, headers, body, add) -> signer.sign(uri, body, add),
                    token == null
                            ? List.of(signWith.secretAccessKey())
                            : List.of(signWith.secretAccessKey(), token),
                    http -> new BedrockCodec(http, settings));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this model's settings, for a variant. */
    public Builder toBuilder() {
        var builder = new Builder();
        HostedOptions.of(builder).copyFrom(options);
        builder.region = region;
        builder.credentials = credentials;
        builder.profile = profile;
        builder.keyInCode = keyInCode;
        return builder;
    }

    /** The AWS region requests are signed for. */
    public String region() {
        return signingRegion;
    }

    @Override
    public String modelName() {
        return client.modelName();
    }

    @Override
    public URI baseUrl() {
        return client.baseUrl();
    }

    /** Always false: structured output goes through the agent's final-answer tool. */
    @Override
    public boolean supportsResponseFormat() {
        return false;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sends a {@code ConverseStream} request. Subscribing only schedules it: its body is built,
     * signed and sent on Reactor's parallel scheduler, and the events arrive there too, never on the
     * HTTP client's threads.
     */
    @Override
    public Flux<ChatEvent> stream(ChatRequest request) {
        return client.stream(request);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sends a {@code Converse} request; as with {@link #stream}, the body is built, signed and
     * sent, and the reply decoded and delivered, on Reactor's parallel scheduler.
     */
    @Override
    public Mono<ChatResponse> call(ChatRequest request) {
        return client.call(request);
    }

    /** Decodes a recorded {@code ConverseStream} body (the event-stream bytes) as a live reply is decoded. */
    @Override
    public Flux<ChatEvent> replay(Publisher<ByteBuffer> body) {
        return client.replay(body);
    }

    @Override
    public String toString() {
        return client.describe("BedrockChatModel");
    }

    /**
     * Builds a {@link BedrockChatModel}; {@code model} is required, and a region unless the
     * environment or the profile names one. Not thread-safe.
     */
    public static final class Builder extends HostedModelBuilder<Builder> {
        private @Nullable String region;
        private @Nullable AwsCredentials credentials;
        private @Nullable String profile;
        private boolean keyInCode;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** The AWS region ({@code us-east-1}); unless set, {@code AWS_REGION}, {@code AWS_DEFAULT_REGION} or the profile's. */
        public Builder region(String region) {
            Objects.requireNonNull(region, "region");
            String r = region.strip().toLowerCase(Locale.ROOT);
            if (!REGION.matcher(r).matches()) {
                throw new IllegalArgumentException("region must be an AWS region name such as us-east-1, was '"
                        + region + "'");
            }
            this.region = r;
            return this;
        }

        /** An access key pair to sign with, instead of any found in the environment or the files. */
        public Builder credentials(String accessKeyId, String secretAccessKey) {
            this.credentials = new AwsCredentials(accessKeyId, secretAccessKey, null);
            return this;
        }

        /** Temporary credentials (an access key pair and its session token) to sign with. */
        public Builder credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
            Objects.requireNonNull(sessionToken, "sessionToken");
            this.credentials = new AwsCredentials(accessKeyId, secretAccessKey, sessionToken);
            return this;
        }

        /**
         * The profile of the shared AWS files whose keys (and region) to use, instead of
         * {@code AWS_PROFILE} and the environment's keys.
         */
        public Builder profile(String name) {
            Objects.requireNonNull(name, "profile");
            if (name.isBlank()) {
                throw new IllegalArgumentException("profile must not be blank");
            }
            this.profile = name.strip();
            return this;
        }

        /**
         * A Bedrock API key, sent as {@code Authorization: Bearer ...} instead of a signature. Without
         * one, and without {@link #credentials}, {@code AWS_BEARER_TOKEN_BEDROCK} is read.
         */
        @Override
        public Builder apiKey(String key) {
            super.apiKey(key);
            this.keyInCode = true;
            return this;
        }

        /**
         * The model.
         *
         * @throws IllegalArgumentException when no model name or region was set or found, or no
         *     credentials (the message says where they were looked for)
         */
        public BedrockChatModel build() {
            HostedOptions options = HostedOptions.of(this);
            var sources = new AwsSources(options::env);
            String profileName = sources.profile(profile);
            String signingRegion = region;
            if (signingRegion == null) {
                signingRegion = firstNonNull(options.env("AWS_REGION"), options.env("AWS_DEFAULT_REGION"));
            }
            if (signingRegion == null) {
                signingRegion = sources.profileRegion(profileName);
            }
            if (signingRegion == null) {
                throw new IllegalArgumentException("region is required: set region(...), AWS_REGION or "
                        + "AWS_DEFAULT_REGION, or a region for profile [" + profileName + "] in "
                        + describe(sources.configFile()));
            }
            signingRegion = signingRegion.strip().toLowerCase(Locale.ROOT);
            if (!REGION.matcher(signingRegion).matches()) {
                throw new IllegalArgumentException("the AWS region '" + signingRegion + "' is not a region name");
            }
            String defaultUrl = "https://bedrock-runtime." + signingRegion + ".amazonaws.com";
            HostedSettings s = options.resolve("AWS_BEARER_TOKEN_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
                    defaultUrl, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
            if (credentials != null && keyInCode) {
                throw new IllegalArgumentException("set either credentials(...) or apiKey(...), not both");
            }
            if (s.price() == null) {
                s = s.withPrice(ModelPrices.lookup("bedrock", s.model()).orElse(null));
            }
            AwsCredentials signWith = credentials;
            if (signWith == null && (keyInCode || s.apiKey() != null && profile == null)) {
                return new BedrockChatModel(this, options.copy(), s, signingRegion, null);
            }
            if (signWith == null) {
                URI url = s.baseUrl();
                boolean urlFromCode = options.hasBaseUrl() && !url.equals(URI.create(defaultUrl));
                if (urlFromCode && !awsEndpoint(url)) {
                    throw new IllegalArgumentException("no credentials for " + url.getScheme() + "://"
                            + url.getAuthority() + ": credentials from the environment and the AWS files are used"
                            + " only for AWS endpoints or the one AWS_ENDPOINT_URL_BEDROCK_RUNTIME names; set"
                            + " credentials(...) or apiKey(...)");
                }
                signWith = ambient(sources, profileName);
            }
            return new BedrockChatModel(this, options.copy(), withoutKey(s), signingRegion, signWith);
        }

        private AwsCredentials ambient(AwsSources sources, String profileName) {
            if (profile == null) {
                AwsCredentials fromEnv = sources.fromEnvironment();
                if (fromEnv != null) {
                    return fromEnv;
                }
            }
            AwsCredentials fromProfile = sources.fromProfile(profileName);
            if (fromProfile != null) {
                return fromProfile;
            }
            boolean named = profile != null || sources.env("AWS_PROFILE") != null;
            String files = describe(sources.credentialsFile()) + " or " + describe(sources.configFile());
            if (named) {
                throw new IllegalArgumentException("no AWS credentials: profile [" + profileName
                        + "] has no aws_access_key_id and aws_secret_access_key in " + files
                        + " (single sign-on, roles and credential_process are not read)");
            }
            throw new IllegalArgumentException("no AWS credentials: set credentials(...) or apiKey(...), or"
                    + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_BEARER_TOKEN_BEDROCK, or keys for"
                    + " profile [" + profileName + "] (AWS_PROFILE) in " + files
                    + " (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE)");
        }

        private static boolean awsEndpoint(URI url) {
            String host = url.getHost().toLowerCase(Locale.ROOT);
            return "https".equalsIgnoreCase(url.getScheme())
                    && (host.endsWith(".amazonaws.com") || host.endsWith(".amazonaws.com.cn"));
        }

        private static HostedSettings withoutKey(HostedSettings s) {
            if (s.apiKey() == null) {
                return s;
            }
            return new HostedSettings(s.model(), null, s.baseUrl(), s.connectTimeout(), s.timeout(),
                    s.inactivityTimeout(), s.defaults(), s.headers(), s.retryPolicy(), s.httpClient(),
                    s.nativeStructuredOutput(), s.maxResponseBytes(), s.price(),
                    s.describeUnsupportedMedia());
        }

        private static @Nullable String firstNonNull(@Nullable String a, @Nullable String b) {
            return a != null ? a : b;
        }

        private static String describe(java.nio.file.@Nullable Path file) {
            return file == null ? "~/.aws (no HOME set)" : file.toString();
        }
    }
}
