package dev.agentrt.otel;

/**
 * The JSON of {@code gen_ai.input.messages} and {@code gen_ai.output.messages}, as the conventions' message schema
 * has it: a list of messages, each a role and its parts.
 */
final class Messages {
    private Messages() {}

    static String user(String text) {
        return "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":" + quote(text) + "}]}]";
    }

    static String assistant(String text, String finishReason) {
        return "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":" + quote(text)
                + "}],\"finish_reason\":" + quote(finishReason) + "}]";
    }

    static String quote(String s) {
        var sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
