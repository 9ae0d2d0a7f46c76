package dev.agentrt.core.internal;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * Joins a streamed reply into one {@link ChatResponse}: text deltas concatenated, tool-call
 * fragments assembled per index, the last usage report kept. Confined to one reply's chain; not
 * thread-safe.
 */
public final class ReplyAssembler {
    private final Fragments text = new Fragments();
    private @Nullable List<PartialCall> calls;
    private Usage usage = Usage.ZERO;
    private @Nullable FinishReason finish;

    public void accept(ChatEvent event) {
        switch (event) {
            case ChatEvent.TextDelta(String t) -> text.append(t);
            case ChatEvent.ToolCallDelta d -> call(d.index()).append(d);
            case ChatEvent.UsageReport(Usage u) -> usage = u;
            case ChatEvent.Finish(FinishReason r) -> {
                if (finish != null) {
                    throw new ModelException("model sent a second finish event");
                }
                finish = r;
            }
        }
    }

    private PartialCall call(int index) {
        if (calls == null) {
            calls = new ArrayList<>(2);
        }
        for (int i = 0, n = calls.size(); i < n; i++) {
            PartialCall c = calls.get(i);
            if (c.index == index) {
                return c;
            }
        }
        if (calls.size() >= 128) {
            throw new ModelException("model sent more than 128 tool calls in one reply");
        }
        var c = new PartialCall(index);
        calls.add(c);
        return c;
    }

    public boolean finished() {
        return finish != null;
    }

    public Usage usage() {
        return usage;
    }

    /** The assembled reply. Fails when the stream ended without a finish event (a cut-off reply). */
    public ChatResponse finish() {
        if (finish == null) {
            throw new ModelException("model stream ended without a finish event (reply cut off)");
        }
        String t = text.value();
        List<ToolCall> toolCalls;
        if (calls == null) {
            toolCalls = List.of();
        } else {
            calls.sort((a, b) -> Integer.compare(a.index, b.index));
            var list = new ToolCall[calls.size()];
            for (int i = 0; i < list.length; i++) {
                list[i] = calls.get(i).toCall();
            }
            toolCalls = List.of(list);
        }
        FinishReason reason = finish;
        if (!toolCalls.isEmpty() && reason == FinishReason.STOP) {
            reason = FinishReason.TOOL_CALLS;
        }
        return new ChatResponse(new Message.Assistant(t, toolCalls), usage, reason);
    }

    private static final class PartialCall {
        final int index;
        @Nullable
        String id;
        @Nullable
        String name;
        final Fragments args = new Fragments();

        PartialCall(int index) {
            this.index = index;
        }

        void append(ChatEvent.ToolCallDelta d) {
            if (d.id() != null && !d.id().isEmpty()) {
                id = d.id();
            }
            if (d.name() != null && !d.name().isEmpty()) {
                name = name == null ? d.name() : name.equals(d.name()) ? name : name + d.name();
            }
            args.append(d.argumentsFragment());
        }

        ToolCall toCall() {
            String a = args.value();
            return new ToolCall(id != null ? id : "call_" + index, name != null ? name : "", a.isBlank() ? "{}" : a);
        }
    }

    /** Joins streamed pieces; two pieces (the common case) become one exact-size string without a builder. */
    private static final class Fragments {
        private @Nullable String joined;
        private int pieces;
        private @Nullable StringBuilder builder;

        void append(String piece) {
            if (piece.isEmpty()) {
                return;
            }
            if (builder != null) {
                builder.append(piece);
            } else if (joined == null) {
                joined = piece;
                pieces = 1;
            } else if (pieces == 1) {
                joined = joined + piece;
                pieces = 2;
            } else {
                builder = new StringBuilder(joined.length() + piece.length() + 64).append(joined).append(piece);
                joined = null;
            }
        }

        String value() {
            return builder != null ? builder.toString() : joined != null ? joined : "";
        }
    }
}
