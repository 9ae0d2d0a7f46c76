package dev.agentrt.core.json;

import dev.agentrt.core.AgentException;

/** Malformed JSON text; the message says where and why, never echoing more than a short excerpt. */
public final class JsonParseException extends AgentException {
    public JsonParseException(String message, Throwable cause) {
        super(message, cause);
    }

    public JsonParseException(String message) {
        super(message);
    }
}
