package dev.agentrt.core.model;

import dev.agentrt.core.contract.ChatModelContract;
import dev.agentrt.core.model.ScriptedChatModel.Reply;

class ScriptedChatModelContractTest extends ChatModelContract {
    @Override
    protected ChatModel model() {
        return ScriptedChatModel.responding(request -> request.tools().isEmpty()
                ? Reply.text("Hello there!")
                : Reply.toolCall("get_time", "{}"));
    }
}
