package dev.agentrt.core.model;

/** Why a model stopped producing a reply. */
public enum FinishReason {
    /** A natural end of the answer. */
    STOP,
    /** The model wants tool results before it continues. */
    TOOL_CALLS,
    /** The reply hit the output token limit. */
    LENGTH,
    /** A provider's safety filter stopped the reply. */
    CONTENT_FILTER,
    /** A stop sequence ended the reply. */
    STOP_SEQUENCE,
    /** Anything else the provider reported. */
    OTHER
}
