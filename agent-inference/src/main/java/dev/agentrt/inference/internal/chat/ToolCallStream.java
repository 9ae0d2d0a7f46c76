package dev.agentrt.inference.internal.chat;

import java.util.List;

/**
 * Streams the text of a reply that may hold tool calls: text is passed on as it comes, but from a
 * {@code <tool_call>} tag on (and for a reply that opens with a JSON object or a JSON code fence)
 * it is kept until the reply ends and then parsed by {@link ToolCallParser}, so no call markup is
 * ever streamed as text.
 */
public final class ToolCallStream {
    private final StringBuilder buffer = new StringBuilder();
    private boolean started;
    private boolean capturing;

    /** Adds {@code delta}; returns the text now safe to stream. */
    public String accept(String delta) {
        buffer.append(delta);
        if (capturing) {
            return "";
        }
        if (!started) {
            String head = buffer.toString().stripLeading();
            if (head.isEmpty() || head.length() < "```json".length() && "```json".startsWith(head)) {
                return "";
            }
            started = true;
            if (head.startsWith("{") || head.startsWith("```json")) {
                capturing = true;
                return "";
            }
        }
        int at = buffer.indexOf(ToolCallParser.OPEN);
        if (at >= 0) {
            capturing = true;
            String out = buffer.substring(0, at);
            buffer.delete(0, at);
            return out;
        }
        String text = buffer.toString();
        int hold = 0;
        for (int len = Math.min(ToolCallParser.OPEN.length() - 1, text.length()); len > 0; len--) {
            if (text.regionMatches(text.length() - len, ToolCallParser.OPEN, 0, len)) {
                hold = len;
                break;
            }
        }
        buffer.delete(0, text.length() - hold);
        return text.substring(0, text.length() - hold);
    }

    /** The rest of the reply: its remaining text and the calls found in it. */
    public ToolCallParser.Parsed finish() {
        String rest = buffer.toString();
        buffer.setLength(0);
        if (!capturing) {
            return new ToolCallParser.Parsed(rest, List.of());
        }
        return ToolCallParser.parse(rest);
    }
}
