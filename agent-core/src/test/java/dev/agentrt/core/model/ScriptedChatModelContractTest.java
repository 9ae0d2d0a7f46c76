package dev.agentrt.core.model;

import dev.agentrt.core.contract.ChatModelContract;
import dev.agentrt.core.model.ScriptedChatModel.Reply;

class ScriptedChatModelContractTest extends ChatModelContract {
    @org.junit.jupiter.api.Test
    void theResponderSeesTheToolsOfTheRequest() {
        org.assertj.core.api.Assertions.assertThat(model().call(toolRequest()).block().finishReason())
                .isEqualTo(FinishReason.TOOL_CALLS);
        org.assertj.core.api.Assertions.assertThat(model().call(textRequest()).block().finishReason())
                .isEqualTo(FinishReason.STOP);
    }

    @Override
    protected ChatModel model() {
        return ScriptedChatModel.responding(request -> request.tools().isEmpty()
                ? Reply.text("Hello there!")
                : Reply.toolCall("get_time", "{}"));
    }
}
