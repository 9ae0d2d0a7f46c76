package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatModels;
import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** {@code local:<directory>} through {@link ChatModels#byName}, found by the ServiceLoader this module registers with. */
class LocalChatModelByNameTest {
    @TempDir
    Path temp;

    @Test
    void theLocalPrefixIsKnownOnceThisModuleIsOnTheClassPath() {
        assertThat(ChatModels.prefixes()).contains("local");
    }

    @Test
    void aLocalModelByNameAnswersAnAgentsTask() throws Exception {
        Path dir = TinyChatModels.writeBigram(temp.resolve("tiny"));

        ChatModel model = ChatModels.byName("local:" + dir, Map.<String, String>of()::get);
        try {
            assertThat(model).isInstanceOf(LocalChatModel.class);
            AgentResult result = Agent.builder()
                    .model(model)
                    .build()
                    .task("Say hello.")
                    .execute()
                    .block(Duration.ofSeconds(60));
            assertThat(result.text()).isEqualTo("Hello there!");
        } finally {
            ((LocalChatModel) model).close();
        }
    }

    @Test
    void aDirectoryWithoutAModelIsAnErrorNamingIt() {
        Path missing = temp.resolve("no-model-here");
        assertThatThrownBy(() -> ChatModels.byName("local:" + missing, Map.<String, String>of()::get))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(missing.toString());
    }
}
