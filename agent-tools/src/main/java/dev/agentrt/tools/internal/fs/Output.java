package dev.agentrt.tools.internal.fs;

/**
 * A result text with a size limit: what fits is kept, the rest only counted, and the text then ends
 * with {@code [... truncated: N more characters]}.
 */
final class Output {
    private final int limit;
    private final StringBuilder text = new StringBuilder();
    private long dropped;

    Output(int limit) {
        this.limit = limit;
    }

    Output append(String s) {
        int room = limit - text.length();
        if (dropped > 0 || room <= 0) {
            dropped += s.length();
        } else if (s.length() <= room) {
            text.append(s);
        } else {
            text.append(s, 0, room);
            dropped += s.length() - room;
        }
        return this;
    }

    Output line(String s) {
        return append(s).append("\n");
    }

    boolean full() {
        return text.length() >= limit;
    }

    boolean isEmpty() {
        return text.isEmpty() && dropped == 0;
    }

    /** The kept text, then the marker when something was dropped, then {@code footer} if not empty. */
    String finish(String footer) {
        var sb = new StringBuilder(text);
        if (dropped > 0) {
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '\n') {
                sb.append('\n');
            }
            sb.append("[... truncated: ").append(dropped).append(" more characters]\n");
        }
        if (!footer.isEmpty()) {
            sb.append(footer).append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
