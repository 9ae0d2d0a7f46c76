package dev.agentrt.inference.internal.chat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Tools for a model whose chat template ignores them: the conversation rewritten so that the
 * tools are described in the system turn, in the format Qwen2.5 and Hermes-style models are trained
 * on (which {@link ToolCallParser} reads back), with past calls and results as plain text:
 *
 * <pre>
 * (the system prompt, if any, then a blank line)
 * # Tools
 *
 * You may call one or more functions to assist with the user query.
 *
 * You are provided with function signatures within &lt;tools&gt;&lt;/tools&gt; XML tags:
 * &lt;tools&gt;
 * {"type":"function","function":{"name":...,"description":...,"parameters":...}}
 * &lt;/tools&gt;
 *
 * For each function call, return a json object with function name and arguments within
 * &lt;tool_call&gt;&lt;/tool_call&gt; XML tags:
 * &lt;tool_call&gt;
 * {"name": &lt;function-name&gt;, "arguments": &lt;args-json-object&gt;}
 * &lt;/tool_call&gt;
 * </pre>
 *
 * (one compact JSON line per tool). An assistant turn's calls follow its text as
 * {@code <tool_call>\n{"name":...,"arguments":...}\n</tool_call>} blocks; a tool result becomes a user turn
 * {@code <tool_response>\n(result)\n</tool_response>}.
 */
public final class ToolPrompt {
    private ToolPrompt() {}

    /** The system-prompt block describing {@code tools}. */
    public static String describe(List<ToolSpec> tools) {
        StringBuilder out = new StringBuilder("# Tools\n\nYou may call one or more functions to assist with the user"
                + " query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        for (ToolSpec tool : tools) {
            JsonObject function = JsonObject.builder()
                    .put("name", tool.name())
                    .put("description", tool.description())
                    .put("parameters", tool.parameters())
                    .build();
            out.append('\n')
                    .append(JsonObject.builder()
                            .put("type", "function")
                            .put("function", function)
                            .build()
                            .toJson());
        }
        return out.append("\n</tools>\n\nFor each function call, return a json object with function name and"
                + " arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>,"
                + " \"arguments\": <args-json-object>}\n</tool_call>").toString();
    }

    /** {@code messages} with the tools in the system turn and calls and results as text. */
    public static List<Message> rewrite(List<Message> messages, List<ToolSpec> tools) {
        List<Message> out = new ArrayList<>(messages.size() + 1);
        String block = describe(tools);
        int first = 0;
        if (!messages.isEmpty() && messages.get(0) instanceof Message.System system) {
            out.add(Message.system(system.text() + "\n\n" + block));
            first = 1;
        } else {
            out.add(Message.system(block));
        }
        for (Message message : messages.subList(first, messages.size())) {
            out.add(switch (message) {
                case Message.Assistant a when a.hasToolCalls() -> Message.assistant(withCalls(a));
                case Message.ToolResult r -> Message.user("<tool_response>\n" + r.content() + "\n</tool_response>");
                default -> message;
            });
        }
        return out;
    }

    private static String withCalls(Message.Assistant assistant) {
        StringBuilder text = new StringBuilder(assistant.text());
        for (ToolCall call : assistant.toolCalls()) {
            JsonValue arguments;
            try {
                arguments = JsonValue.parse(call.arguments());
            } catch (RuntimeException e) {
                arguments = JsonValue.of(call.arguments());
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append("<tool_call>\n")
                    .append(JsonObject.builder().put("name", call.name()).put("arguments", arguments).build().toJson())
                    .append("\n</tool_call>");
        }
        return text.toString();
    }
}
