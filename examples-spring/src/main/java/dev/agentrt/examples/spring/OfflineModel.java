package dev.agentrt.examples.spring;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The example's model when {@code agentrt.model} names none: a scripted support clerk, so that the application runs
 * offline and its test knows every reply. It reads the conversation (never a counter, so concurrent and resumed runs
 * each get the right reply): it looks the question's order up, asks for a refund when the question wants one, and
 * answers from the last tool result, quoting the refund policy the memory recalled.
 */
final class OfflineModel {
    private static final Pattern ORDER = Pattern.compile("\\b[A-Z]-\\d{4}\\b");
    /** How the policy that {@link AgentConfiguration#seedMemory} remembers starts. */
    static final String POLICY = "Refund policy:";

    private OfflineModel() {}

    static ChatModel create() {
        return ScriptedChatModel.responding(request -> reply(request.messages()));
    }

    private static Reply reply(List<Message> messages) {
        String question = messages.stream()
                .filter(Message.User.class::isInstance)
                .map(m -> ((Message.User) m).text())
                .findFirst()
                .orElse("");
        Matcher order = ORDER.matcher(question);
        if (!order.find()) {
            return Reply.text("Which order is it about? Order numbers look like A-1001.");
        }
        String id = order.group();
        Message last = messages.get(messages.size() - 1);
        if (!(last instanceof Message.ToolResult result)) {
            return Reply.toolCalls(new ToolCall("call-order-" + id, "order", "{\"id\":\"" + id + "\"}"));
        }
        if (result.error()) {
            return Reply.text("Nothing was done for order " + id + ": " + result.content());
        }
        if (result.toolName().equals("refund")) {
            return Reply.text("Done: " + result.content() + "." + policy(messages));
        }
        JsonObject found = JsonValue.parse(result.content()).asObject();
        String status = found.getString("status").orElse("unknown");
        if (question.toLowerCase(Locale.ROOT).contains("refund") && !status.equals("refunded")) {
            return Reply.toolCalls(new ToolCall("call-refund-" + id, "refund",
                    "{\"orderId\":\"" + id + "\",\"reason\":\"the customer asked for a refund\"}"));
        }
        return Reply.text("Order " + id + " (" + found.getString("item").orElse("?") + " for "
                + found.getString("customer").orElse("?") + ") is " + status + ".");
    }

    /** The recalled policy line, if the memory gave one to the model (a system message), as a sentence to append. */
    private static String policy(List<Message> messages) {
        for (Message m : messages) {
            if (m instanceof Message.System system) {
                int at = system.text().indexOf(POLICY);
                if (at >= 0) {
                    String rest = system.text().substring(at + POLICY.length()).strip();
                    int end = rest.indexOf('\n');
                    return " Our policy: " + (end < 0 ? rest : rest.substring(0, end)).strip();
                }
            }
        }
        return "";
    }

    /** True when {@code agentrt.model} is unset or blank: the application then runs on {@link #create()}. */
    static final class NoModelNamed implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String name = context.getEnvironment().getProperty("agentrt.model");
            return name == null || name.isBlank();
        }
    }
}
