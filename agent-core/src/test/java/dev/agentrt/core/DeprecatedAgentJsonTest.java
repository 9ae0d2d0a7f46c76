package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.Message;
import dev.agentrt.core.security.Capability;
import org.junit.jupiter.api.Test;

/** The old entry point stays for one version and writes exactly what the new one writes. */
@SuppressWarnings("removal")
class DeprecatedAgentJsonTest {

    @Test
    void theOldAgentJsonWritesAndReadsLikeTheNewOne() {
        Message message = Message.user("hi");
        assertThat(AgentJson.write(message)).isEqualTo(dev.agentrt.core.run.AgentJson.write(message));
        assertThat(AgentJson.readMessage(dev.agentrt.core.run.AgentJson.write(message))).isEqualTo(message);
        Capability net = Capability.net("api.github.com", 443);
        assertThat(AgentJson.readCapability(AgentJson.write(net))).isEqualTo(net);
    }
}
