package dev.agentrt.inference.internal.chat;

import java.util.List;

/**
 * Finds stop sequences in streamed text. Text that might be the start of a stop sequence is held
 * back until the next delta tells, so a stop sequence is never half emitted.
 */
public final class StopSequences {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    public StopSequences(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds {@code delta}; returns the text now safe to emit. After a stop, {@link #stopped()} is true. */
    public String accept(String delta) {
        if (stopped) {
            return "";
        }
        pending.append(delta);
        int first = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = pending.substring(0, first);
            pending.setLength(0);
            return out;
        }
        int hold = 0;
        String text = pending.toString();
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, text.length()); len > hold; len--) {
                if (text.regionMatches(text.length() - len, stop, 0, len)) {
                    hold = len;
                    break;
                }
            }
        }
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    public boolean stopped() {
        return stopped;
    }

    /** The held-back text, at the end of a reply that no stop sequence ended. */
    public String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }
}
