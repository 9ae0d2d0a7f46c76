package dev.agentrt.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

class ConversationWindowTest {
    private static List<Message> longConversation(int turns) {
        var list = new ArrayList<Message>();
        list.add(Message.system("system prompt"));
        list.add(Message.user("the task"));
        for (int i = 0; i < turns; i++) {
            var a = new ToolCall("c" + i, "t", "{\"i\":" + i + "}");
            var b = new ToolCall("d" + i, "t", "{\"j\":" + i + "}");
            list.add(Message.assistant("", List.of(a, b)));
            list.add(Message.toolResult(a, "x".repeat(400), false));
            list.add(Message.toolResult(b, "y".repeat(400), false));
        }
        return list;
    }

    @Test
    void keepsEverythingThatFits() {
        List<Message> msgs = longConversation(2);
        assertThat(ConversationWindow.tokens(100_000).select(msgs)).isSameAs(msgs);
    }

    @Test
    void dropsTheOldestTurnsButNeverSplitsACallFromItsResults() {
        List<Message> msgs = longConversation(20);
        List<Message> window = ConversationWindow.tokens(1000).select(msgs);
        int total = window.stream().mapToInt(ConversationWindow::estimateTokens).sum();
        assertThat(total).isLessThanOrEqualTo(1000);
        assertThat(window.subList(0, 2)).containsExactly(msgs.get(0), msgs.get(1));
        assertThat(window.get(window.size() - 1)).isEqualTo(msgs.get(msgs.size() - 1));
        for (int i = 2; i < window.size(); i++) {
            if (window.get(i) instanceof Message.ToolResult r) {
                Message prev = window.get(i - 1);
                boolean paired = prev instanceof Message.ToolResult
                        || (prev instanceof Message.Assistant a && a.toolCalls()
                                .stream()
                                .anyMatch(c -> c.id()
                                        .equals(
                                                r.callId())));
                assertThat(paired).as("result %s follows its call", r.callId()).isTrue();
            }
            if (window.get(i) instanceof Message.Assistant a) {
                assertThat(window.subList(i + 1, i + 1 + a.toolCalls().size()))
                        .allMatch(Message.ToolResult.class::isInstance);
            }
        }
        assertThat(window.size()).isLessThan(msgs.size());
    }

    @Test
    void alwaysKeepsTheNewestTurnEvenOverBudget() {
        List<Message> msgs = longConversation(3);
        List<Message> window = ConversationWindow.tokens(10).select(msgs);
        assertThat(window).endsWith(msgs.get(msgs.size() - 3), msgs.get(msgs.size() - 2), msgs.get(msgs.size() - 1));
    }
}
