package dev.agentrt.core.json;

import org.jspecify.annotations.Nullable;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A read-only, insertion-ordered map that {@link JsonObject} recognises as already immutable, so
 * that a parser can hand over the map it filled without a second copy.
 */
final class FrozenMap<K, V> extends AbstractMap<K, V> {
    private final LinkedHashMap<K, V> map;

    private FrozenMap(LinkedHashMap<K, V> map) {
        this.map = map;
    }

    static <K, V> FrozenMap<K, V> copyOf(Map<? extends K, ? extends V> source) {
        return new FrozenMap<>(new LinkedHashMap<>(source));
    }

    /** Takes ownership of {@code map}: the caller must never touch it again. */
    static <K, V> FrozenMap<K, V> owning(LinkedHashMap<K, V> map) {
        return new FrozenMap<>(map);
    }

    @Override
    public @Nullable V get(Object key) {
        return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return map.containsKey(key);
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return Collections.unmodifiableMap(map).entrySet();
    }
}
