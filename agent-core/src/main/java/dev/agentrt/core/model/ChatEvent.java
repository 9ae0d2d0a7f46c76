package dev.agentrt.core.model;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * One piece of a streamed model reply. A reply is any number of text and tool-call deltas,
 * reasoning deltas and blocks (from models that think), optionally a usage report (providers may send several; the last one per kind counts), and
 * ends with exactly one {@link Finish}.
 */
public sealed interface ChatEvent permits ChatEvent.TextDelta, ChatEvent.ToolCallDelta, ChatEvent.ReasoningDelta,
        ChatEvent.ReasoningBlock, ChatEvent.UsageReport, ChatEvent.Finish {

    static TextDelta text(String text) {
        return new TextDelta(text);
    }

    static Finish finish(FinishReason reason) {
        return new Finish(reason);
    }

    /** A piece of the reply's text. */
    record TextDelta(String text) implements ChatEvent {
        public TextDelta {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A piece of a tool call. Deltas with the same {@code index} belong to one call: the first
     * carries {@code id} and {@code name}, later ones append to {@code argumentsFragment}. A model
     * that knows the whole call at once sends one delta with everything. Models should give each
     * call an index of its own (the hosted clients do, whatever their server sends); for those that
     * reuse one, a delta whose id differs from the id of the call at its index, or that brings another
     * name once that call's arguments have begun, starts a new call there, and later deltas without
     * an id go to it. Calls are put in index order; ids that repeat are made unique.
     */
    record ToolCallDelta(int index, @Nullable String id, @Nullable String name, String argumentsFragment)
            implements
                ChatEvent {
        public ToolCallDelta {
            Objects.requireNonNull(argumentsFragment, "argumentsFragment");
            if (index < 0) {
                throw new IllegalArgumentException("index must not be negative, was " + index);
            }
        }
    }

    /**
     * A piece of the model's readable reasoning, to show as it arrives. It is not the record of the
     * reasoning: each block the reply keeps arrives whole, text included, as a {@link ReasoningBlock}.
     */
    record ReasoningDelta(String text) implements ChatEvent {
        public ReasoningDelta {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * One finished reasoning block, as the assistant message keeps it and the provider wants it back
     * (see {@link Reasoning}). Blocks keep the order in which they arrive.
     */
    record ReasoningBlock(Reasoning reasoning) implements ChatEvent {
        public ReasoningBlock {
            Objects.requireNonNull(reasoning, "reasoning");
        }
    }

    /** Tokens used so far by this reply (cumulative, not incremental). */
    record UsageReport(Usage usage) implements ChatEvent {
        public UsageReport {
            Objects.requireNonNull(usage, "usage");
        }
    }

    /**
     * The end of the reply, with what the provider said of it when it said so: the id it gave the reply
     * ({@code responseId}) and the model that actually answered ({@code responseModel}, which may name a version
     * the request's model alias resolved to). Either is null when the provider did not say.
     */
    record Finish(FinishReason reason, @Nullable String responseId, @Nullable String responseModel)
            implements
                ChatEvent {
        public Finish {
            Objects.requireNonNull(reason, "reason");
        }

        /** The end of a reply whose provider named neither the reply nor its model. */
        public Finish(FinishReason reason) {
            this(reason, null, null);
        }
    }
}
