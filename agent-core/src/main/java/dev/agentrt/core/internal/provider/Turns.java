package dev.agentrt.core.internal.provider;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;

import java.util.ArrayList;
import java.util.List;

/**
 * A conversation as the turns of a provider API whose user and assistant turns must alternate
 * (Anthropic's messages, Bedrock's, Gemini's contents): what is added for the role of the last turn
 * joins that turn, what is added for another role starts a new one, and a turn exists only once
 * something is added to it. Each codec names its roles and its items (content blocks, parts).
 * Confined to the building of one request body.
 */
public final class Turns {
    /** One turn: its role and its items, which a codec may still change (a cache breakpoint on the last). */
    public static final class Turn {
        private final String role;
        private final List<JsonValue> items = new ArrayList<>(2);

        private Turn(String role) {
            this.role = role;
        }

        public String role() {
            return role;
        }

        /** The turn's items, in order; mutable. */
        public List<JsonValue> items() {
            return items;
        }
    }

    private final List<Turn> turns = new ArrayList<>();

    /** Adds {@code item} to the last turn if it is {@code role}'s, else to a new turn of {@code role}. */
    public void add(String role, JsonValue item) {
        turn(role).items.add(item);
    }

    /** Adds {@code items} as {@link #add} adds one; nothing (not even a turn) when there are none. */
    public void addAll(String role, List<? extends JsonValue> items) {
        if (!items.isEmpty()) {
            turn(role).items.addAll(items);
        }
    }

    private Turn turn(String role) {
        if (!turns.isEmpty() && turns.getLast().role.equals(role)) {
            return turns.getLast();
        }
        var t = new Turn(role);
        turns.add(t);
        return t;
    }

    /** The turns, in order. */
    public List<Turn> list() {
        return turns;
    }

    /** The turns as {@code [{"role": ..., <itemsKey>: [...]}, ...]}. */
    public JsonArray toJson(String itemsKey) {
        var out = new ArrayList<JsonValue>(turns.size());
        for (Turn t : turns) {
            out.add(JsonObject.builder().put("role", t.role).put(itemsKey, new JsonArray(t.items)).build());
        }
        return new JsonArray(out);
    }
}
