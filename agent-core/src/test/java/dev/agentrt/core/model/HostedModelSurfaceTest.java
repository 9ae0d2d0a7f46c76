package dev.agentrt.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.bedrock.BedrockChatModel;
import dev.agentrt.core.model.gemini.GeminiChatModel;
import dev.agentrt.core.model.ollama.OllamaChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.model.openai.OpenAiResponsesModel;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The hosted models compose their internals: no public or protected member of the public hosted
 * model types, and nothing they extend or implement, names a type of an {@code internal} package,
 * so a user (or a subclass of the builder) can never reach or depend on one.
 */
class HostedModelSurfaceTest {
    private static final List<Class<?>> API = List.of(HostedChatModel.class, HostedModelBuilder.class,
            OpenAiChatModel.class, OpenAiChatModel.Builder.class, OpenAiResponsesModel.class,
            OpenAiResponsesModel.Builder.class, AnthropicChatModel.class,
            AnthropicChatModel.Builder.class, OllamaChatModel.class, OllamaChatModel.Builder.class,
            BedrockChatModel.class, BedrockChatModel.Builder.class, GeminiChatModel.class,
            GeminiChatModel.Builder.class);

    @Test
    void noVisibleSignatureOfAHostedModelTypeNamesAnInternalType() {
        var leaks = new ArrayList<String>();
        for (Class<?> type : API) {
            assertThat(Modifier.isPublic(type.getModifiers())).as(type.getName()).isTrue();
            if (type.getGenericSuperclass() != null
                    && type.getGenericSuperclass().getTypeName().contains(".internal.")) {
                leaks.add(type.getName() + " extends " + type.getGenericSuperclass().getTypeName());
            }
            Stream.of(type.getGenericInterfaces())
                    .filter(i -> i.getTypeName().contains(".internal."))
                    .forEach(i -> leaks.add(type.getName() + " implements " + i.getTypeName()));
            for (Member member : members(type)) {
                int modifiers = member.getModifiers();
                String signature = switch (member) {
                    case Method m -> m.toGenericString();
                    case Constructor<?> c -> c.toGenericString();
                    case Field f -> f.toGenericString();
                    default -> "";
                };
                if ((Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers))
                        && signature.contains(".internal.")) {
                    leaks.add(signature);
                }
            }
        }

        assertThat(leaks).isEmpty();
    }

    @Test
    void theProvidersAreFinalAndTheirBuildersTooSoNoSubclassInheritsTheirInternals() {
        for (Class<?> type : List.of(OpenAiChatModel.class, OpenAiResponsesModel.class, AnthropicChatModel.class,
                OllamaChatModel.class, BedrockChatModel.class, GeminiChatModel.class,
                OpenAiResponsesModel.Builder.class, OpenAiChatModel.Builder.class, AnthropicChatModel.Builder.class,
                OllamaChatModel.Builder.class, BedrockChatModel.Builder.class, GeminiChatModel.Builder.class)) {
            assertThat(Modifier.isFinal(type.getModifiers())).as(type.getName()).isTrue();
        }
    }

    private static List<Member> members(Class<?> type) {
        var out = new ArrayList<Member>();
        out.addAll(List.of(type.getDeclaredMethods()));
        out.addAll(List.of(type.getDeclaredConstructors()));
        out.addAll(List.of(type.getDeclaredFields()));
        return out;
    }
}
