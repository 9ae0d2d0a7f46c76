package dev.agentrt.core.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable set of granted capabilities, with the check the registry makes before every tool
 * call. Thread-safe.
 *
 * <pre>{@code
 * Grants grants = Grants.of(Capability.fileRead(root), Capability.net("example.com"));
 * grants.allows(Capability.fileRead(root.resolve("README.md")));   // true
 * }</pre>
 *
 * <p>Checks of file capabilities resolve real paths and so block ({@link PathPolicy}); checks of
 * every other kind are pure. {@link #needsFileSystem(Collection)} tells the caller which is which.
 */
public final class Grants {
    private static final Grants NONE = new Grants(Set.of());

    private final Set<Capability> granted;
    private final Capability[] array;

    private Grants(Set<Capability> granted) {
        this.granted = granted;
        this.array = granted.toArray(Capability[]::new);
    }

    public static Grants none() {
        return NONE;
    }

    public static Grants of(Capability... capabilities) {
        return of(List.of(capabilities));
    }

    public static Grants of(Collection<? extends Capability> capabilities) {
        return capabilities.isEmpty() ? NONE : new Grants(Set.copyOf(new LinkedHashSet<>(capabilities)));
    }

    /** These grants plus {@code more}. */
    public Grants with(Collection<? extends Capability> more) {
        if (more.isEmpty()) {
            return this;
        }
        var all = new LinkedHashSet<Capability>(granted);
        all.addAll(more);
        return new Grants(Set.copyOf(all));
    }

    public Set<Capability> capabilities() {
        return granted;
    }

    public boolean isEmpty() {
        return array.length == 0;
    }

    /** Whether some grant covers {@code requested}. Blocks for file capabilities. */
    public boolean allows(Capability requested) {
        for (Capability c : array) {
            if (c.covers(requested)) {
                return true;
            }
        }
        return false;
    }

    /** The requested capabilities that no grant covers, in request order; empty when all are allowed. */
    public List<Capability> missing(List<? extends Capability> requested) {
        List<Capability> missing = null;
        for (int i = 0, n = requested.size(); i < n; i++) {
            Capability r = requested.get(i);
            if (!allows(r)) {
                if (missing == null) {
                    missing = new ArrayList<>(2);
                }
                missing.add(r);
            }
        }
        return missing == null ? List.of() : List.copyOf(missing);
    }

    /** Whether checking these capabilities touches the file system (and so must not run on a non-blocking thread). */
    public static boolean needsFileSystem(Collection<? extends Capability> requested) {
        for (Capability c : requested) {
            if (c instanceof Capability.FileRead || c instanceof Capability.FileWrite) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Grants g && g.granted.equals(granted);
    }

    @Override
    public int hashCode() {
        return granted.hashCode();
    }

    @Override
    public String toString() {
        return "Grants" + granted;
    }
}
