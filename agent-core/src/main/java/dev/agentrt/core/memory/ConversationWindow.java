package dev.agentrt.core.memory;

import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses which part of a growing transcript is sent to the model. The transcript itself is never
 * changed: the window only selects.
 *
 * <p>{@link #tokens(int)} keeps the system messages, the first user message (the task), and as
 * many of the latest messages as fit the budget, dropping the oldest first. An assistant turn
 * with tool calls and its tool results are kept or dropped together, so the model never sees a
 * call without its result or a result without its call (providers reject both).
 */
@FunctionalInterface
public interface ConversationWindow {
    /** Sends everything. */
    ConversationWindow UNBOUNDED = messages -> messages;

    List<Message> select(List<Message> transcript);

    /** Keeps the transcript within about {@code maxTokens}, estimated at four characters a token. */
    static ConversationWindow tokens(int maxTokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
        }
        return transcript -> fit(transcript, maxTokens);
    }

    /**
     * A rough token estimate for one message: characters / 4 plus a per-message overhead, plus 1,600
     * per image (what Anthropic bills a picture of about a megapixel) and one token per 500 bytes of audio (about 32 tokens a second of compressed sound).
     */
    static int estimateTokens(Message m) {
        int chars = switch (m) {
            case Message.System s -> s.text().length();
            case Message.User u -> u.text().length();
            case Message.Assistant a -> {
                int n = a.text().length();
                for (var c : a.toolCalls()) {
                    n += c.name().length() + c.arguments().length() + c.id().length();
                }
                yield n;
            }
            case Message.ToolResult r -> r.content().length() + r.callId().length();
        };
        List<Media> media = switch (m) {
            case Message.User u -> u.media();
            case Message.ToolResult r -> r.media();
            default -> List.of();
        };
        long tokens = chars / 4 + 4;
        for (Media item : media) {
            tokens += item instanceof Media.Audio a ? a.size() / 500 + 4 : 1_600;
        }
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }

    private static List<Message> fit(List<Message> transcript, int maxTokens) {
        int total = 0;
        for (Message m : transcript) {
            total += estimateTokens(m);
        }
        if (total <= maxTokens) {
            return transcript;
        }
        int n = transcript.size();
        boolean[] pinned = new boolean[n];
        int budget = maxTokens;
        boolean firstUser = false;
        for (int i = 0; i < n; i++) {
            Message m = transcript.get(i);
            if (m instanceof Message.System || (!firstUser && m instanceof Message.User)) {
                firstUser |= m instanceof Message.User;
                pinned[i] = true;
                budget -= estimateTokens(m);
            }
        }
        boolean[] keep = pinned.clone();
        // Walk back from the end group by group; a group is an assistant turn and its tool results.
        int end = n;
        boolean keptAny = false;
        while (end > 0) {
            int start = end - 1;
            while (start > 0 && transcript.get(start) instanceof Message.ToolResult) {
                start--;
            }
            int cost = 0;
            for (int i = start; i < end; i++) {
                if (!pinned[i]) {
                    cost += estimateTokens(transcript.get(i));
                }
            }
            if (cost > budget && keptAny) {
                break;
            }
            // The newest group is always kept, even over budget: the model cannot continue without it.
            budget -= cost;
            keptAny = true;
            for (int i = start; i < end; i++) {
                keep[i] = true;
            }
            end = start;
        }
        var out = new ArrayList<Message>(n);
        for (int i = 0; i < n; i++) {
            if (keep[i]) {
                out.add(transcript.get(i));
            }
        }
        return List.copyOf(out);
    }
}
