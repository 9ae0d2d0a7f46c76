package dev.agentrt.core.security;

import java.net.IDN;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Something an agent may be allowed to do. A granted capability covers ({@link #covers}) the
 * capabilities that tool calls request: a grant of {@code fileRead("/srv/project")} covers a
 * request for {@code fileRead("/srv/project/src/Main.java")}.
 *
 * <pre>{@code
 * Agent.builder()
 *     .grant(Capability.fileRead(Path.of("docs")), Capability.net("api.github.com"))
 *     ...
 * }</pre>
 *
 * <p>Paths are compared after normalisation and real-path resolution ({@link PathPolicy}); hosts
 * after lower-casing, IDN to ASCII and removal of a trailing dot. Capabilities are values: equal
 * when their parts are equal.
 */
public sealed interface Capability
        permits Capability.FileRead, Capability.FileWrite, Capability.Net, Capability.Env, Capability.MemoryRead,
        Capability.MemoryWrite, Capability.Custom {

    /** Read files at or below {@code path}. */
    static FileRead fileRead(Path path) {
        return new FileRead(path);
    }

    /** Create, change or delete files at or below {@code path}. */
    static FileWrite fileWrite(Path path) {
        return new FileWrite(path);
    }

    /**
     * Connect to the public addresses of {@code hostPattern} on any port; a leading {@code *.}
     * matches subdomains. See {@link Net} for what reaches loopback and private addresses.
     */
    static Net net(String hostPattern) {
        return new Net(hostPattern, 0);
    }

    /** As {@link #net(String)}, on {@code port} only. */
    static Net net(String hostPattern, int port) {
        return new Net(hostPattern, port);
    }

    /** Read the environment variable {@code name}; {@code *} for all. */
    static Env env(String name) {
        return new Env(name);
    }

    /** Recall from the memory namespace; {@code *} for every namespace. */
    static MemoryRead memoryRead(String namespace) {
        return new MemoryRead(namespace);
    }

    static MemoryRead memoryRead() {
        return new MemoryRead(ANY);
    }

    /** Remember into (and forget from) the memory namespace; {@code *} for every namespace. */
    static MemoryWrite memoryWrite(String namespace) {
        return new MemoryWrite(namespace);
    }

    static MemoryWrite memoryWrite() {
        return new MemoryWrite(ANY);
    }

    /** A capability of the application's own, for user tools: {@code custom("payments", "refund")}. */
    static Custom custom(String name, String scope) {
        return new Custom(name, scope);
    }

    static Custom custom(String name) {
        return new Custom(name, ANY);
    }

    String ANY = "*";

    /**
     * The capability {@code text} names, written as {@link #describe()} prints it (so that
     * {@code parse(c.describe())} equals {@code c}): {@code file-read:/srv/docs}, {@code file-write:/tmp/out},
     * {@code net:api.example.com}, {@code net:api.example.com:443}, {@code net:[::1]:8080} (an IPv6 address with a port in brackets),
     * {@code net-private:devbox.lan:8080} ({@link Net#allowingPrivateAddresses()}), {@code env:API_TOKEN},
     * {@code memory-read} (every namespace) or {@code memory-read:notes}, {@code memory-write:notes}; anything else
     * is a custom capability {@code name:scope}, or {@code name} for every scope, also spelled
     * {@code custom:name:scope}. The form of {@code @ToolMethod(requires = ...)} and of configuration files.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text} (no host, no path, a bad port...)
     */
    static Capability parse(String text) {
        return CapabilityText.parse(java.util.Objects.requireNonNull(text, "text"));
    }

    /** Whether this capability, as a grant, allows what {@code requested} asks for. */
    boolean covers(Capability requested);

    /** A short human- and model-readable form, e.g. {@code file-read:/srv/project}. */
    String describe();

    record FileRead(Path path) implements Capability {
        public FileRead {
            path = PathPolicy.lexical(path);
        }

        @Override
        public boolean covers(Capability requested) {
            return requested instanceof FileRead(Path p) && PathPolicy.within(p, path);
        }

        @Override
        public String describe() {
            return "file-read:" + path;
        }
    }

    record FileWrite(Path path) implements Capability {
        public FileWrite {
            path = PathPolicy.lexical(path);
        }

        @Override
        public boolean covers(Capability requested) {
            return requested instanceof FileWrite(Path p) && PathPolicy.within(p, path);
        }

        @Override
        public String describe() {
            return "file-write:" + path;
        }
    }

    /**
     * Network access to a host. {@code port} 0 means any port. The host pattern is either an exact
     * name or IP literal, {@code *.example.com} (any subdomain, not the apex), or {@code *} (any
     * host).
     *
     * <p>Which addresses a grant reaches (the egress layer checks every address a name resolves to,
     * see {@link UrlGuard}):
     * <ul>
     *   <li>A plain grant, {@code net("docs.example.com")}, reaches the host's <em>public</em>
     *       addresses only. A name that resolves to a loopback, private, link-local, CGNAT or
     *       unique-local address is refused, so a name granted for the web cannot be pointed at the
     *       machine the agent runs on or at its network.
     *   <li>{@code net("devbox.lan", 8080).allowingPrivateAddresses()} also reaches those non-public
     *       addresses: the deliberate form for a service on the local network. {@code *} cannot take
     *       it; {@code *.corp.example} can.
     *   <li>A grant whose host is an IP literal, {@code net("127.0.0.1", 8080)}, reaches that exact
     *       address when a URL names it, whatever kind of address it is: writing the address is
     *       explicit. It does not cover names that resolve to it.
     *   <li>Cloud metadata addresses (169.254.169.254, fd00:ec2::254, 100.100.100.200…) are reached
     *       only through a URL that names the address and a grant that names it exactly;
     *       {@link #allowingPrivateAddresses()} never covers them.
     * </ul>
     *
     * <p>As a grant, a {@code Net} with {@code privateAddresses} covers requests with or without it;
     * one without it covers only requests without it, so intersecting grants (a plugin's manifest
     * with the task's grants, for one) never turns a public-only grant into one that reaches the
     * local network.
     *
     * @param hostPattern the host: exact name, IP literal, {@code *.suffix} or {@code *}
     * @param port the port, or 0 for any
     * @param privateAddresses whether non-public addresses (loopback, private, link-local, shared,
     *        unique-local) the host resolves to may be reached
     */
    record Net(String hostPattern, int port, boolean privateAddresses) implements Capability {
        public Net {
            hostPattern = normalizeHost(Objects.requireNonNull(hostPattern, "hostPattern"));
            if (hostPattern.isEmpty()) {
                throw new IllegalArgumentException("hostPattern must not be empty");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 (any) or 1-65535, was " + port);
            }
            if (privateAddresses && hostPattern.equals(ANY)) {
                throw new IllegalArgumentException("net(\"*\") cannot allow private addresses: name the hosts (or "
                        + "*.domain) whose local addresses may be reached");
            }
        }

        /** A grant for the public addresses of {@code hostPattern} on {@code port} (0: any). */
        public Net(String hostPattern, int port) {
            this(hostPattern, port, false);
        }

        /**
         * This grant, also reaching the loopback, private, link-local, shared (CGNAT) and
         * unique-local addresses its host resolves to; never cloud metadata addresses. Throws
         * {@link IllegalArgumentException} for {@code net("*")}.
         */
        public Net allowingPrivateAddresses() {
            return privateAddresses ? this : new Net(hostPattern, port, true);
        }

        @Override
        public boolean covers(Capability requested) {
            if (!(requested instanceof Net(String host, int p, boolean wantsPrivate))) {
                return false;
            }
            if (wantsPrivate && !privateAddresses) {
                return false;
            }
            if (port != 0 && p != port) {
                return false;
            }
            if (hostPattern.equals(ANY)) {
                return !host.contains("*");
            }
            if (hostPattern.startsWith("*.")) {
                String suffix = hostPattern.substring(1);
                return host.endsWith(suffix) && host.length() > suffix.length() && !host.contains("*");
            }
            return host.equals(hostPattern);
        }

        @Override
        public String describe() {
            return (privateAddresses ? "net-private:" : "net:") + hostPattern + (port == 0 ? "" : ":" + port);
        }

        /** Lower case, IDN to ASCII, no trailing dot, IPv6 brackets removed and the address compressed. */
        static String normalizeHost(String host) {
            String h = host.strip();
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            while (h.endsWith(".")) {
                h = h.substring(0, h.length() - 1);
            }
            if (h.contains(":")) {
                String lower = h.toLowerCase(Locale.ROOT);
                java.net.InetAddress v6 = UrlGuard.parseV6(lower);
                return v6 == null ? lower : UrlGuard.literal(v6);
            }
            if (h.equals(ANY)) {
                return h;
            }
            boolean wildcard = h.startsWith("*.");
            String rest = wildcard ? h.substring(2) : h;
            try {
                rest = IDN.toASCII(rest, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a valid host name: " + host, e);
            }
            return (wildcard ? "*." : "") + rest.toLowerCase(Locale.ROOT);
        }
    }

    record Env(String name) implements Capability {
        public Env {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public boolean covers(Capability requested) {
            return requested instanceof Env(String n) && (name.equals(ANY) || name.equals(n));
        }

        @Override
        public String describe() {
            return "env:" + name;
        }
    }

    record MemoryRead(String namespace) implements Capability {
        public MemoryRead {
            Objects.requireNonNull(namespace, "namespace");
        }

        @Override
        public boolean covers(Capability requested) {
            return requested instanceof MemoryRead(String ns) && (namespace.equals(ANY) || namespace.equals(ns));
        }

        @Override
        public String describe() {
            return "memory-read:" + namespace;
        }
    }

    record MemoryWrite(String namespace) implements Capability {
        public MemoryWrite {
            Objects.requireNonNull(namespace, "namespace");
        }

        @Override
        public boolean covers(Capability requested) {
            return requested instanceof MemoryWrite(String ns) && (namespace.equals(ANY) || namespace.equals(ns));
        }

        @Override
        public String describe() {
            return "memory-write:" + namespace;
        }
    }

    /** An application-defined capability: a name and a scope ({@code *} = every scope). */
    record Custom(String name, String scope) implements Capability {
        public Custom {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(scope, "scope");
            if (name.isBlank()) {
                throw new IllegalArgumentException("custom capability name must not be blank");
            }
        }

        @Override
        public boolean covers(Capability requested) {
            return requested instanceof Custom(String n, String s) && name.equals(n)
                    && (scope.equals(ANY) || scope.equals(s));
        }

        @Override
        public String describe() {
            return name + ":" + scope;
        }
    }
}
