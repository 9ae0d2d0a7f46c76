package dev.agentrt.core.security;

import org.jspecify.annotations.Nullable;

import java.nio.file.Path;
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
    private static final Grants NONE = new Grants(Set.of(), List.of());

    private final Set<Capability> granted;
    private final Capability[] array;
    /** An intersection's sides: what every one of them allows is allowed too. Empty for plain grants. */
    private final List<Grants> all;
    /** What {@link #capabilities()} shows: the granted set plus, for an intersection, its sides' pairwise meets. */
    private final Set<Capability> shown;

    private Grants(Set<Capability> granted, List<Grants> all) {
        this.granted = granted;
        this.array = granted.toArray(Capability[]::new);
        this.all = all;
        if (all.isEmpty()) {
            this.shown = granted;
        } else {
            var show = new LinkedHashSet<Capability>(granted);
            show.addAll(meets(all.get(0).capabilities(), all.get(1).capabilities()));
            this.shown = Set.copyOf(show);
        }
    }

    public static Grants none() {
        return NONE;
    }

    public static Grants of(Capability... capabilities) {
        return of(List.of(capabilities));
    }

    public static Grants of(Collection<? extends Capability> capabilities) {
        return capabilities.isEmpty() ? NONE : new Grants(Set.copyOf(new LinkedHashSet<>(capabilities)), List.of());
    }

    /** These grants plus {@code more}. */
    public Grants with(Collection<? extends Capability> more) {
        if (more.isEmpty()) {
            return this;
        }
        var union = new LinkedHashSet<Capability>(granted);
        union.addAll(more);
        return new Grants(Set.copyOf(union), all);
    }

    /**
     * What both these grants and {@code other} allow, and nothing else: a request is allowed exactly when each of
     * the two allows it, each checking the way it always does (real paths for files, so a grant of {@code /a}
     * intersected with one of {@code /a/b} allows {@code /a/b/x} but not {@code /a/c}, nor {@code /a} itself).
     * Decided at each check, so a symbolic link changed later is judged then. What a sub-agent may do is its own
     * grants intersected with its caller's. {@link #with} adds to the result as to any grants.
     *
     * <p>{@link #capabilities()} of the result shows the pairwise intersections of the two sides' capabilities
     * (compared by name, not by real path): a description, not the rule, which {@link #allows} applies.
     */
    public Grants intersect(Grants other) {
        if (other == this) {
            return this;
        }
        if (isEmpty() || other.isEmpty()) {
            return NONE;
        }
        return new Grants(Set.of(), List.of(this, other));
    }

    /**
     * The capabilities granted. For an {@linkplain #intersect intersection}: those added to it, plus the pairwise
     * intersections of its two sides' capabilities.
     */
    public Set<Capability> capabilities() {
        return shown;
    }

    /** Whether these grants allow nothing at all. */
    public boolean isEmpty() {
        if (array.length != 0) {
            return false;
        }
        for (Grants side : all) {
            if (side.isEmpty()) {
                return true;
            }
        }
        return all.isEmpty();
    }

    /** Whether some grant covers {@code requested}. Blocks for file capabilities. */
    public boolean allows(Capability requested) {
        for (Capability c : array) {
            if (c.covers(requested)) {
                return true;
            }
        }
        if (all.isEmpty()) {
            return false;
        }
        for (Grants side : all) {
            if (!side.allows(requested)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a {@code Net} grant's host is exactly the address {@code literal} (normalised) for {@code port}; for an
     * intersection, whether both sides name it. For {@link UrlGuard}, which lets such a grant reach any kind of
     * address.
     */
    boolean namesAddress(String literal, int port) {
        for (Capability c : array) {
            if (c instanceof Capability.Net n && (n.port() == 0 || n.port() == port)
                    && n.hostPattern().equals(literal)) {
                return true;
            }
        }
        if (all.isEmpty()) {
            return false;
        }
        for (Grants side : all) {
            if (!side.namesAddress(literal, port)) {
                return false;
            }
        }
        return true;
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
        return o instanceof Grants g && g.granted.equals(granted) && g.all.equals(all);
    }

    @Override
    public int hashCode() {
        return granted.hashCode() * 31 + all.hashCode();
    }

    @Override
    public String toString() {
        if (all.isEmpty()) {
            return "Grants" + granted;
        }
        return "Grants" + granted + " + (" + all.get(0) + " ∩ " + all.get(1) + ")";
    }

    /** The pairwise intersections of two sets of capabilities, compared by name: for {@link #capabilities()}. */
    private static Set<Capability> meets(Set<Capability> left, Set<Capability> right) {
        var out = new LinkedHashSet<Capability>();
        for (Capability a : left) {
            for (Capability b : right) {
                Capability m = meet(a, b);
                if (m != null) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static @Nullable Capability meet(Capability a, Capability b) {
        return switch (a) {
            case Capability.FileRead(Path p) when b instanceof Capability.FileRead(Path q) -> {
                Path deeper = deeper(p, q);
                yield deeper == null ? null : Capability.fileRead(deeper);
            }
            case Capability.FileWrite(Path p) when b instanceof Capability.FileWrite(Path q) -> {
                Path deeper = deeper(p, q);
                yield deeper == null ? null : Capability.fileWrite(deeper);
            }
            case Capability.Net n when b instanceof Capability.Net m -> {
                String host = hostMeet(n.hostPattern(), m.hostPattern());
                int port = n.port() == 0 ? m.port() : m.port() == 0 || m.port() == n.port() ? n.port() : -1;
                boolean privateAddresses = n.privateAddresses() && m.privateAddresses();
                yield host == null || port < 0 ? null : new Capability.Net(host, port, privateAddresses);
            }
            case Capability.Env(String x) when b instanceof Capability.Env(String y) -> {
                String name = nameMeet(x, y);
                yield name == null ? null : Capability.env(name);
            }
            case Capability.MemoryRead(String x) when b instanceof Capability.MemoryRead(String y) -> {
                String ns = nameMeet(x, y);
                yield ns == null ? null : Capability.memoryRead(ns);
            }
            case Capability.MemoryWrite(String x) when b instanceof Capability.MemoryWrite(String y) -> {
                String ns = nameMeet(x, y);
                yield ns == null ? null : Capability.memoryWrite(ns);
            }
            case Capability.Custom(String n, String x) when b instanceof Capability.Custom(String m, String y)
                    && n.equals(m) -> {
                String scope = nameMeet(x, y);
                yield scope == null ? null : Capability.custom(n, scope);
            }
            default -> null;
        };
    }

    private static @Nullable Path deeper(Path p, Path q) {
        return p.startsWith(q) ? p : q.startsWith(p) ? q : null;
    }

    private static @Nullable String nameMeet(String x, String y) {
        return x.equals(Capability.ANY) ? y : y.equals(Capability.ANY) || y.equals(x) ? x : null;
    }

    private static @Nullable String hostMeet(String x, String y) {
        if (x.equals(y)) {
            return x;
        }
        if (x.equals(Capability.ANY) || y.equals(Capability.ANY)) {
            return x.equals(Capability.ANY) ? y : x;
        }
        boolean xWild = x.startsWith("*.");
        boolean yWild = y.startsWith("*.");
        if (xWild && (yWild ? y.endsWith(x.substring(1)) : y.endsWith(x.substring(1)) && !y.equals(x.substring(2)))) {
            return y;
        }
        if (yWild && (xWild ? x.endsWith(y.substring(1)) : x.endsWith(y.substring(1)) && !x.equals(y.substring(2)))) {
            return x;
        }
        return null;
    }
}
