package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls of one {@code McpTools} on a 2025-revision HTTP connection whose server's {@code elicitation/create}
 * pauses the durable run they run in ({@code McpTools.Builder.elicitationPausesRun}). Such a server sends the
 * elicitation of a call on the call's own response stream; {@link HttpTransport} stamps it with that call's JSON-RPC
 * id in {@code params._meta} under {@value #RELATED} (removing any the server wrote), and {@link McpElicitor} asks
 * {@link #verdict} before the handler: an elicitation tied to a call open here is answered {@code cancel} and becomes
 * the call's question, or, on the call's re-run after the user answered, is answered with that answer when it asks
 * the same (message and schema). Anything not tied to such a call goes to the handler. Thread-safe; never blocks.
 */
public final class ElicitationPauses {
    /** The {@code _meta} key under which {@link HttpTransport} names the request whose stream brought a message. */
    static final String RELATED = "dev.agentrt/relatedRequestId";

    private final Set<Slot> open = ConcurrentHashMap.newKeySet();

    /** What {@link McpElicitor} does with an elicitation tied to an open call. */
    sealed interface Verdict {}

    /** Answer with the user's recorded content (checked against the schema as any accepted content is). */
    record Answer(JsonObject content) implements Verdict {}

    /** Answer {@code cancel}: the call's run pauses on the question once the call ends. */
    record Pause() implements Verdict {}

    /** The question a call asked, for its run to pause on. */
    record Asked(String message, JsonObject requestedSchema) {}

    /** The user's answer to a call's earlier question, which its re-run gives the server when asked the same. */
    record Recorded(String message, JsonObject requestedSchema, JsonObject content) {}

    /** One open call: its connection and progress token name its JSON-RPC id. */
    final class Slot implements AutoCloseable {
        private final McpConnection connection;
        private final String token;
        private final @Nullable Recorded recorded;
        private boolean used;
        private @Nullable Asked asked;

        private Slot(McpConnection connection, String token, @Nullable Recorded recorded) {
            this.connection = connection;
            this.token = token;
            this.recorded = recorded;
        }

        /** The question the call asked (its first elicitation not answered from the record), or null. */
        synchronized @Nullable Asked asked() {
            return asked;
        }

        private synchronized Verdict decide(String message, JsonObject schema) {
            Recorded r = recorded;
            if (r != null && !used && asked == null && r.message().equals(message)
                    && r.requestedSchema().equals(schema)) {
                used = true;
                return new Answer(r.content());
            }
            if (asked == null) {
                asked = new Asked(message, schema);
            }
            return new Pause();
        }

        @Override
        public void close() {
            open.remove(this);
        }
    }

    /** Opens the call sent on {@code connection} with {@code token}; closed when the call ends. */
    Slot open(McpConnection connection, String token, @Nullable Recorded recorded) {
        var slot = new Slot(Objects.requireNonNull(connection), Objects.requireNonNull(token), recorded);
        open.add(slot);
        return slot;
    }

    /** What to do with an elicitation whose {@code _meta} is {@code meta}; null when no open call is tied to it. */
    @Nullable
    Verdict verdict(@Nullable Map<String, Object> meta, String message, JsonObject schema) {
        Object related = meta == null ? null : meta.get(RELATED);
        if (related == null) {
            return null;
        }
        for (Slot s : open) {
            if (sameId(s.connection.requestId(s.token), related)) {
                return s.decide(message, schema);
            }
        }
        return null;
    }

    private static boolean sameId(@Nullable Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.longValue() == y.longValue();
        }
        return a != null && a.toString().equals(b.toString());
    }
}
