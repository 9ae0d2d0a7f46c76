package dev.agentrt.core.internal;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.Reasoning;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Joins a streamed reply into one {@link ChatResponse}: text deltas concatenated, tool-call
 * fragments assembled per call, reasoning blocks kept in order, the last usage report kept. A fragment belongs to the call its
 * index last named, unless it shows that another call began at that index (see
 * {@link ChatEvent.ToolCallDelta}); calls come out in index order, then in the order they began, each
 * with an id of its own. Confined to one reply's chain; not thread-safe.
 */
public final class ReplyAssembler {
    private static final int MAX_CALLS = 128;
    private static final int MAX_REASONING_BLOCKS = 1024;

    private final Fragments text = new Fragments();
    /** In the order they began. */
    private @Nullable List<PartialCall> calls;
    private int deltas;
    private @Nullable List<Reasoning> reasoning;
    private Usage usage = Usage.ZERO;
    private @Nullable FinishReason finish;
    private @Nullable String responseId;
    private @Nullable String responseModel;

    public void accept(ChatEvent event) {
        switch (event) {
            case ChatEvent.TextDelta(String t) -> text.append(t);
            case ChatEvent.ToolCallDelta d -> call(d).append(d, ++deltas);
            case ChatEvent.ReasoningDelta ignored -> {
                // for display; the block that follows carries the whole text
            }
            case ChatEvent.ReasoningBlock(Reasoning r) -> {
                if (reasoning == null) {
                    reasoning = new ArrayList<>(2);
                } else if (reasoning.size() >= MAX_REASONING_BLOCKS) {
                    throw new ModelException("model sent more than " + MAX_REASONING_BLOCKS
                            + " reasoning blocks in one reply");
                }
                reasoning.add(r);
            }
            case ChatEvent.UsageReport(Usage u) -> usage = u;
            case ChatEvent.Finish f -> {
                if (finish != null) {
                    throw new ModelException("model sent a second finish event");
                }
                finish = f.reason();
                responseId = f.responseId();
                responseModel = f.responseModel();
            }
        }
    }

    /**
     * The call {@code d} belongs to: at its index, the call its id names, else the call the index
     * named last, unless {@code d} starts another (a new id, or a new name after arguments).
     */
    private PartialCall call(ChatEvent.ToolCallDelta d) {
        if (calls == null) {
            calls = new ArrayList<>(2);
        }
        String id = d.id() == null || d.id().isEmpty() ? null : d.id();
        PartialCall current = null;
        for (int i = 0, n = calls.size(); i < n; i++) {
            PartialCall c = calls.get(i);
            if (c.index == d.index()) {
                if (id != null && id.equals(c.id)) {
                    return c;
                }
                if (current == null || c.lastDelta > current.lastDelta) {
                    current = c;
                }
            }
        }
        if (current != null && !current.startedBy(id, d.name())) {
            return current;
        }
        if (calls.size() >= MAX_CALLS) {
            throw new ModelException("model sent more than " + MAX_CALLS + " tool calls in one reply");
        }
        var c = new PartialCall(d.index());
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
            // A stable sort: calls that share an index stay in the order they began.
            calls.sort((a, b) -> Integer.compare(a.index, b.index));
            var list = new ToolCall[calls.size()];
            for (int i = 0; i < list.length; i++) {
                list[i] = calls.get(i).toCall();
            }
            toolCalls = withDistinctIds(List.of(list));
        }
        FinishReason reason = finish;
        if (!toolCalls.isEmpty() && reason == FinishReason.STOP) {
            reason = FinishReason.TOOL_CALLS;
        }
        return new ChatResponse(new Message.Assistant(t, toolCalls, reasoning == null ? List.of() : reasoning),
                usage, reason, responseId, responseModel);
    }

    /**
     * {@code calls} with every id made unique: a later call whose id an earlier one has gets
     * {@code <id>_2} (or the next number free). Providers refuse a conversation whose tool calls
     * share an id, and the results could not be told apart.
     */
    public static List<ToolCall> withDistinctIds(List<ToolCall> calls) {
        if (calls.size() < 2) {
            return calls;
        }
        var all = new HashSet<String>(calls.size() * 2);
        for (ToolCall c : calls) {
            all.add(c.id());
        }
        if (all.size() == calls.size()) {
            return calls;
        }
        var used = new HashSet<String>(calls.size() * 2);
        var out = new ToolCall[calls.size()];
        for (int i = 0; i < out.length; i++) {
            ToolCall c = calls.get(i);
            String id = c.id();
            if (!used.add(id)) {
                String fresh;
                int n = 2;
                do {
                    fresh = id + "_" + n++;
                } while (all.contains(fresh) || used.contains(fresh));
                used.add(fresh);
                c = new ToolCall(fresh, c.name(), c.arguments());
            }
            out[i] = c;
        }
        return List.of(out);
    }

    private static final class PartialCall {
        final int index;
        @Nullable
        String id;
        @Nullable
        String name;
        final Fragments args = new Fragments();
        int lastDelta;

        PartialCall(int index) {
            this.index = index;
        }

        /**
         * Whether a delta at this call's index begins another call: it names an id other than this
         * call's, or a name other than this call's once arguments have begun (a name streamed in
         * pieces comes before them).
         */
        boolean startedBy(@Nullable String otherId, @Nullable String otherName) {
            if (otherId != null && id != null && !otherId.equals(id)) {
                return true;
            }
            return otherName != null && !otherName.isEmpty() && !args.isEmpty() && !otherName.equals(name);
        }

        void append(ChatEvent.ToolCallDelta d, int sequence) {
            lastDelta = sequence;
            if (id == null && d.id() != null && !d.id().isEmpty()) {
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

        boolean isEmpty() {
            return builder == null && joined == null;
        }
    }
}
