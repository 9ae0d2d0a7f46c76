package dev.agentrt.core.model;

import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.bedrock.BedrockChatModel;
import dev.agentrt.core.model.gemini.GeminiChatModel;
import dev.agentrt.core.model.ollama.OllamaChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.model.openai.OpenAiResponsesModel;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Chat models by name: {@code "anthropic:claude-sonnet-4-5"}, {@code "openai:gpt-4.1-mini"},
 * {@code "ollama:qwen3:4b"}... The prefix before the first colon picks the provider, the rest is the provider's
 * model name, and the key, base URL and region come from the provider's usual environment variables:
 *
 * <table>
 * <caption>Prefixes</caption>
 * <tr><th>prefix</th><th>model</th><th>environment</th></tr>
 * <tr><td>{@code anthropic}</td><td>{@link AnthropicChatModel}</td>
 *     <td>{@code ANTHROPIC_API_KEY}, {@code ANTHROPIC_BASE_URL}</td></tr>
 * <tr><td>{@code openai}</td><td>{@link OpenAiChatModel} (Chat Completions; any compatible server)</td>
 *     <td>{@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}</td></tr>
 * <tr><td>{@code openai-responses}</td><td>{@link OpenAiResponsesModel}</td>
 *     <td>{@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}</td></tr>
 * <tr><td>{@code gemini}</td><td>{@link GeminiChatModel}</td>
 *     <td>{@code GEMINI_API_KEY} or {@code GOOGLE_API_KEY}, {@code GEMINI_BASE_URL}</td></tr>
 * <tr><td>{@code ollama}</td><td>{@link OllamaChatModel}</td>
 *     <td>{@code OLLAMA_HOST} or {@code OLLAMA_BASE_URL}, {@code OLLAMA_API_KEY} (optional)</td></tr>
 * <tr><td>{@code bedrock}</td><td>{@link BedrockChatModel}</td>
 *     <td>{@code AWS_REGION}, the AWS credentials chain ({@code AWS_ACCESS_KEY_ID}..., {@code AWS_PROFILE} and
 *     the AWS files), {@code AWS_BEARER_TOKEN_BEDROCK}, {@code AWS_ENDPOINT_URL_BEDROCK_RUNTIME}</td></tr>
 * <tr><td>{@code local}</td><td>{@code LocalChatModel} of the exported model directory after the colon (needs
 *     {@code agent-inference})</td><td>none</td></tr>
 * </table>
 *
 * <p>A key is required unless the provider's base-URL variable points the client at another server (a gateway,
 * an OpenAI-compatible server), exactly as the providers' builders decide. Further prefixes come from
 * {@link ChatModelProvider} services on the class path.
 *
 * <pre>{@code
 * ChatModel claude = ChatModels.byName("anthropic:claude-sonnet-4-5");              // System.getenv
 * ChatModel gpt = ChatModels.byName("openai:gpt-4.1-mini", settings::get);          // a configuration layer
 * }</pre>
 *
 * <p>For settings a name cannot carry (timeouts, prices, thinking), use the providers' builders. Thread-safe;
 * {@code byName} builds a new model each time, and {@code local:} loads the model (blocking).
 */
public final class ChatModels {
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Map<String, Builtin> BUILTIN = builtins();
    /** Prefixes that come from a module that may be missing, and which one. */
    private static final Map<String, String> MODULES = Map.of("local", "dev.agentrt:agent-inference");

    private ChatModels() {}

    /** The model {@code name} names, its settings read from {@link System#getenv}. See {@link #byName(String, Function)}. */
    public static ChatModel byName(String name) {
        return byName(name, System::getenv);
    }

    /**
     * The model {@code name} ({@code prefix:model}) names, its settings read through {@code env}: a variable's
     * value, or null when it is unset (a blank value counts as unset). Nothing else of the environment is read.
     *
     * @throws IllegalArgumentException when the name is not {@code prefix:model}, or the prefix is unknown (the
     *     message lists the known ones), or the provider refuses the model name
     * @throws IllegalStateException when a key, region or credentials the provider needs are not in
     *     {@code env} (the message names the variables)
     */
    public static ChatModel byName(String name, Function<String, @Nullable String> env) {
        return byName(name, env, builder -> {});
    }

    /**
     * {@link #byName(String, Function)}, with {@code configure} applied to a hosted provider's builder before it
     * builds (after the environment's settings, which it may override): timeouts, a retry policy, headers, an
     * HTTP client... the settings a name cannot carry. It is not called for models of {@link ChatModelProvider}
     * services ({@code local:}), which have no such builder.
     *
     * <pre>{@code
     * ChatModel claude = ChatModels.byName("anthropic:claude-sonnet-4-5", System::getenv,
     *         b -> b.timeout(Duration.ofSeconds(30)).retryPolicy(RetryPolicy.NONE));
     * }</pre>
     *
     * @throws IllegalArgumentException as {@link #byName(String, Function)}, and when {@code configure} rejects a
     *     value
     */
    public static ChatModel byName(String name, Function<String, @Nullable String> env,
            Consumer<? super HostedModelBuilder<?>> configure) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(configure, "configure");
        int colon = name.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("model name '" + name + "' has no provider prefix: write prefix:model,"
                    + " for example anthropic:claude-sonnet-4-5 (prefixes: " + String.join(", ", prefixes()) + ")");
        }
        String prefix = name.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String model = name.substring(colon + 1).strip();
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("model name '" + name + "' has nothing before the colon: write "
                    + "prefix:model (prefixes: " + String.join(", ", prefixes()) + ")");
        }
        if (model.isEmpty()) {
            throw new IllegalArgumentException("model name '" + name + "' names no model after '" + prefix
                    + ":', for example " + prefix + ":" + example(prefix));
        }
        Function<String, @Nullable String> lookup = variable -> {
            String value = env.apply(variable);
            return value == null || value.isBlank() ? null : value.strip();
        };
        Builtin builtin = BUILTIN.get(prefix);
        if (builtin != null) {
            requireKey(name, builtin, lookup);
            try {
                return builtin.factory.apply(model, lookup::apply, configure);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }
        ChatModelProvider provider = providers().get(prefix);
        if (provider == null) {
            String module = MODULES.get(prefix);
            if (module != null) {
                throw new IllegalArgumentException("model name '" + name + "': the prefix '" + prefix + ":' needs "
                        + module + " on the class path");
            }
            throw new IllegalArgumentException("model name '" + name + "' has an unknown provider prefix '" + prefix
                    + "': known prefixes are " + String.join(", ", prefixes()));
        }
        return provider.create(model, lookup);
    }

    /** The prefixes {@link #byName} knows now: the built-in ones, then those of {@link ChatModelProvider} services. */
    public static List<String> prefixes() {
        var all = new ArrayList<String>(BUILTIN.keySet());
        all.addAll(providers().keySet());
        return List.copyOf(all);
    }

    private static void requireKey(String name, Builtin builtin, Function<String, @Nullable String> env) {
        if (builtin.keyVariables.isEmpty() || env.apply(builtin.urlVariable) != null) {
            return;
        }
        for (String variable : builtin.keyVariables) {
            if (env.apply(variable) != null) {
                return;
            }
        }
        throw new IllegalStateException(name + " needs an API key: set the environment variable "
                + String.join(" or ", builtin.keyVariables) + " (or " + builtin.urlVariable
                + " to use another server)");
    }

    private static String example(String prefix) {
        Builtin b = BUILTIN.get(prefix);
        return b != null ? b.example : prefix.equals("local") ? "/path/to/exported-model" : "model-name";
    }

    private static Map<String, ChatModelProvider> providers() {
        var found = new LinkedHashMap<String, ChatModelProvider>();
        ServiceLoader<ChatModelProvider> loader = ServiceLoader.load(ChatModelProvider.class,
                ChatModels.class.getClassLoader());
        try {
            for (ChatModelProvider p : loader) {
                String prefix = p.prefix();
                if (prefix == null || !PREFIX.matcher(prefix).matches()) {
                    throw new IllegalStateException("chat model provider " + p.getClass().getName()
                            + " has an invalid prefix '" + prefix + "': lower-case letters, digits and '-'");
                }
                if (BUILTIN.containsKey(prefix)) {
                    throw new IllegalStateException("chat model provider " + p.getClass().getName()
                            + " claims the built-in prefix '" + prefix + ":'; remove it from the class path");
                }
                ChatModelProvider other = found.putIfAbsent(prefix, p);
                if (other != null) {
                    throw new IllegalStateException("chat model providers " + other.getClass().getName() + " and "
                            + p.getClass().getName() + " both claim the prefix '" + prefix + ":'");
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("a chat model provider on the class path cannot be loaded: "
                    + e.getMessage(), e);
        }
        return found;
    }

    /** The environment as the builders take it. */
    private interface Factory {
        ChatModel apply(String model, java.util.function.UnaryOperator<@Nullable String> env,
                Consumer<? super HostedModelBuilder<?>> configure);
    }

    /** The builder configured from the environment, then by the caller. */
    private static <B extends HostedModelBuilder<B>> B configured(B builder,
            Consumer<? super HostedModelBuilder<?>> configure) {
        configure.accept(builder);
        return builder;
    }

    private record Builtin(List<String> keyVariables, String urlVariable, String example, Factory factory) {}

    private static Map<String, Builtin> builtins() {
        var m = new LinkedHashMap<String, Builtin>();
        m.put("anthropic", new Builtin(List.of("ANTHROPIC_API_KEY"), "ANTHROPIC_BASE_URL", "claude-sonnet-4-5",
                (model, env, c) -> configured(AnthropicChatModel.builder().model(model).environment(env), c).build()));
        m.put("openai", new Builtin(List.of("OPENAI_API_KEY"), "OPENAI_BASE_URL", "gpt-4.1-mini",
                (model, env, c) -> configured(OpenAiChatModel.builder().model(model).environment(env), c).build()));
        m.put("openai-responses", new Builtin(List.of("OPENAI_API_KEY"), "OPENAI_BASE_URL", "gpt-5-mini",
                (model, env, c) -> configured(OpenAiResponsesModel.builder().model(model).environment(env), c)
                        .build()));
        m.put("gemini", new Builtin(List.of("GEMINI_API_KEY", "GOOGLE_API_KEY"), "GEMINI_BASE_URL",
                "gemini-2.5-flash",
                (model, env, c) -> configured(GeminiChatModel.builder().model(model).environment(env), c).build()));
        m.put("ollama", new Builtin(List.of(), "OLLAMA_BASE_URL", "qwen3:4b",
                (model, env, c) -> configured(OllamaChatModel.builder().model(model).environment(env), c).build()));
        m.put("bedrock", new Builtin(List.of(), "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                (model, env, c) -> bedrock(model, env, c)));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Bedrock's own errors name what it looked for; a missing region or credentials is the environment's to fix. */
    private static ChatModel bedrock(String model, java.util.function.UnaryOperator<@Nullable String> env,
            Consumer<? super HostedModelBuilder<?>> configure) {
        try {
            return configured(BedrockChatModel.builder().model(model).environment(env), configure).build();
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            if (m.startsWith("region is required") || m.startsWith("no AWS credentials")) {
                throw new IllegalStateException("bedrock:" + model + ": " + m, e);
            }
            throw e;
        }
    }
}
