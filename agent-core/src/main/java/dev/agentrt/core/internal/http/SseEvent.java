package dev.agentrt.core.internal.http;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * One dispatched server-sent event.
 *
 * @param event the event type, {@code "message"} when the stream named none
 * @param data the data lines joined with {@code '\n'}
 * @param id the last event ID of the stream at dispatch time (it persists across events), {@code null} if the stream
 *     never set one
 */
public record SseEvent(String event, String data, @Nullable String id) {
    public SseEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(data, "data");
    }
}
