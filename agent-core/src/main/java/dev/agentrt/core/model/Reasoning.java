package dev.agentrt.core.model;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * Reasoning a model did before or between its answers, kept in the assistant message that holds it
 * and sent back unchanged on later turns. Providers that think (Anthropic's extended thinking,
 * OpenAI's reasoning items, Gemini's thought signatures) require that: a tool-using turn whose
 * reasoning is dropped or altered is refused, or the model loses its train of thought.
 *
 * <p>Only {@link #text} is meant for people; the other fields are the provider's own and opaque.
 * A block goes back only to the provider that made it ({@link #provider}); a conversation continued
 * with another model leaves it out.
 *
 * @param provider the wire format that made the block, such as {@code "anthropic"}; others ignore it
 * @param text the readable reasoning or its summary; empty when the provider shows none
 * @param signature the provider's proof that {@code text} is what the model wrote (Anthropic's
 *     {@code signature}, Gemini's {@code thoughtSignature}), or null
 * @param encrypted reasoning the provider keeps sealed (Anthropic's {@code redacted_thinking} data,
 *     OpenAI's {@code encrypted_content}), or null
 * @param id the provider's id for the block (OpenAI's reasoning item id), or null
 */
public record Reasoning(String provider, String text, @Nullable String signature, @Nullable String encrypted,
        @Nullable String id) {
    public Reasoning {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(text, "text");
        if (provider.isEmpty()) {
            throw new IllegalArgumentException("provider must not be empty");
        }
    }

    /** Readable reasoning with the signature that vouches for it. */
    public static Reasoning signed(String provider, String text, @Nullable String signature) {
        return new Reasoning(provider, text, signature, null, null);
    }

    /** Reasoning the provider sealed: nothing readable, only what must be sent back. */
    public static Reasoning sealed(String provider, String encrypted) {
        return new Reasoning(provider, "", null, Objects.requireNonNull(encrypted, "encrypted"), null);
    }

    /** Whether the provider sealed this reasoning, so that its {@link #text} says nothing. */
    public boolean isSealed() {
        return encrypted != null && text.isEmpty();
    }
}
