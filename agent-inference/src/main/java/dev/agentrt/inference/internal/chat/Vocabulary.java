package dev.agentrt.inference.internal.chat;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.inference.ModelLoadException;
import org.jspecify.annotations.Nullable;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The id space of a {@code tokenizer.json}: how many ids it can produce and the ids of named
 * tokens (added tokens first, then the model's vocabulary), for the end-of-reply tokens.
 */
public final class Vocabulary {
    private final Map<String, Long> ids;
    private final long size;
    private final @Nullable ByteLevelText byteLevel;

    private Vocabulary(Map<String, Long> ids, long size, @Nullable ByteLevelText byteLevel) {
        this.ids = ids;
        this.size = size;
        this.byteLevel = byteLevel;
    }

    static Vocabulary read(Path file, JsonObject tokenizer) {
        Map<String, Long> ids = new HashMap<>();
        long max = -1;
        JsonObject model = tokenizer.getObject("model")
                .orElseThrow(() -> new ModelLoadException(file + " has no \"model\": not a Hugging Face tokenizer"));
        JsonValue vocab = model.get("vocab");
        if (vocab instanceof JsonObject words) {
            for (var e : words.members().entrySet()) {
                if (e.getValue() instanceof JsonValue.JsonNumber n) {
                    ids.put(e.getKey(), n.longValue());
                    max = Math.max(max, n.longValue());
                }
            }
        } else if (vocab instanceof JsonArray pieces) {
            // Unigram: [[piece, score], ...], the id is the position.
            for (int i = 0; i < pieces.size(); i++) {
                if (pieces.get(i) instanceof JsonArray pair && pair.size() > 0
                        && pair.get(0) instanceof JsonValue.JsonString s) {
                    ids.put(s.value(), (long) i);
                }
            }
            max = pieces.size() - 1;
        } else {
            throw new ModelLoadException(file + " has no model.vocab: not a Hugging Face tokenizer");
        }
        for (JsonValue added : tokenizer.getArray("added_tokens").orElse(JsonArray.EMPTY).items()) {
            if (added instanceof JsonObject token) {
                Optional<Long> id = token.getLong("id");
                Optional<String> content = token.getString("content");
                if (id.isPresent() && content.isPresent()) {
                    ids.put(content.get(), id.get());
                    max = Math.max(max, id.get());
                }
            }
        }
        if (max < 0) {
            throw new ModelLoadException(file + " has an empty vocabulary");
        }
        return new Vocabulary(Map.copyOf(ids), max + 1, ByteLevelText.of(tokenizer, max + 1));
    }

    /** One more than the largest id the tokenizer can produce. */
    public long size() {
        return size;
    }

    /** The tokenizer's decoder in Java when it is the byte-level one, else null. */
    public @Nullable ByteLevelText byteLevel() {
        return byteLevel;
    }

    public Optional<Long> id(String token) {
        return Optional.ofNullable(ids.get(token));
    }
}
