package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.context.Context;
import dev.agentrt.core.context.Document;
import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.security.Capability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The old names stay for one version and behave exactly like the new ones. */
@SuppressWarnings("removal")
class DeprecatedNamesTest {

    @Test
    void theOldAgentJsonWritesAndReadsLikeTheNewOne() {
        Message message = Message.user("hi");
        assertThat(AgentJson.write(message)).isEqualTo(dev.agentrt.core.run.AgentJson.write(message));
        assertThat(AgentJson.readMessage(dev.agentrt.core.run.AgentJson.write(message))).isEqualTo(message);
        Capability net = Capability.net("api.github.com", 443);
        assertThat(AgentJson.readCapability(AgentJson.write(net))).isEqualTo(net);
    }

    @Test
    void theOldContextListsAndReadsLikeTaskContext(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.txt"), "alpha");
        Context old = Context.fromDirectory(dir);
        TaskContext renamed = TaskContext.fromDirectory(dir);
        assertThat(old.listing(10).block()).isEqualTo(renamed.listing(10).block());
        assertThat(old.documents().map(Document::text).collectList().block()).containsExactly("alpha");
        assertThat(old.toTaskContext().root()).isEqualTo(renamed.root());
        assertThat(
                Context.of(Document.of("d", "x")).toTaskContext().documents().map(Document::text).collectList().block())
                .containsExactly("x");
    }
}
