package dev.agentrt.core.security;

import dev.agentrt.core.AgentException;
import org.jspecify.annotations.Nullable;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The check every outgoing URL of a tool passes: the URL is parsed and normalised, its host
 * resolved, and every address classified; a destination that is not on the public internet
 * (loopback, private, link-local, cloud metadata…) is refused unless a grant says so in so many
 * words. The egress layer ({@code dev.agentrt.core.egress.Egress}) calls it for the first URL and
 * again for every redirect, then connects to one of the addresses it returned, never to a name
 * resolved a second time.
 *
 * <pre>{@code
 * UrlGuard.Target target = UrlGuard.parse("https://docs.example.com/guide");    // pure
 * context.require(target.capability());                                          // the Net grant
 * UrlGuard.Checked checked = UrlGuard.check(target, grants);                     // blocks on DNS
 * connect(checked.addresses().get(0), target.port());
 * }</pre>
 *
 * <h2>What the parser accepts</h2>
 * Only {@code http} and {@code https}, with a host; no user info ({@code user@host}), no
 * percent-encoded or zone-qualified hosts, no backslashes or control characters. Host names are
 * lower-cased, converted from IDN to ASCII and lose a trailing dot; each label is letters, digits,
 * {@code -} or {@code _}. Hosts whose last label is a number are IPv4 addresses in any form a
 * browser or {@code inet_aton} accepts — {@code 2130706433}, {@code 0177.0.0.1},
 * {@code 0x7f.0.0.1}, {@code 127.1} — and are rewritten to dotted decimal ({@code 127.0.0.1}),
 * which is then the host that grants, the {@code Host} header and the connection see. A number
 * that is no valid address ({@code 1.2.3.4.5}, {@code 0x1g}) is refused.
 *
 * <h2>Which addresses a grant reaches</h2>
 * The {@code Net} grant covering the URL's host and port is the registry's check ({@link
 * Grants#allows} of {@link Target#capability()}); this class decides, address by address, whether
 * the grants also reach what the host turned out to be ({@link #permits}):
 * <ul>
 *   <li>public addresses: yes;
 *   <li>loopback, private, shared (CGNAT), link-local and unique-local addresses a <em>name</em>
 *       resolves to: only with a grant that {@linkplain Capability.Net#allowingPrivateAddresses()
 *       allows private addresses} and covers the name and port. A plain {@code net("docs.example.com")}
 *       never does, nor does {@code net("*")}, so a granted name whose DNS answer points at the
 *       machine or its network is refused before any connection;
 *   <li>an address the URL names as an IP literal: with a grant naming that exact address
 *       ({@code net("127.0.0.1", 8080)}, {@code net("::1")}, {@code net("169.254.169.254")}), whatever
 *       its kind. An address grant does not reach names that resolve to the address;
 *   <li>cloud metadata, unspecified, multicast and reserved addresses: only that way, never through a
 *       name. Names that are metadata or loopback by definition ({@code metadata.google.internal},
 *       {@code localhost}) are refused before any lookup on the same terms.
 * </ul>
 *
 * <h2>Threading</h2>
 * {@link #parse}, {@link #resolve(Target, String)}, {@link #classify}, {@link #permits},
 * {@link #precheck} and {@link #checkAddresses} are pure and cheap. {@link #check} resolves host
 * names through {@link InetAddress} and so <strong>blocks</strong>: call it on
 * {@code AgentSchedulers.blocking()}, never on a Reactor non-blocking thread. Thread-safe; no state.
 */
public final class UrlGuard {
    private static final int MAX_URL_LENGTH = 8192;
    private static final int MAX_HOST_LENGTH = 253;
    /** Names of cloud metadata services: refused like their addresses, before any lookup. */
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata.goog", "metadata",
            "instance-data", "instance-data.ec2.internal", "metadata.azure.internal");

    private UrlGuard() {}

    /** What kind of network an address belongs to. Only {@link #PUBLIC} needs no explicit grant. */
    public enum AddressKind {
        /** A global unicast address on the public internet. */
        PUBLIC,
        /** 127.0.0.0/8, {@code ::1}. */
        LOOPBACK,
        /** 0.0.0.0/8 and {@code ::}: "this host" (connecting to 0.0.0.0 reaches the local machine). */
        UNSPECIFIED,
        /** 10/8, 172.16/12, 192.168/16, and the deprecated IPv6 site-local fec0::/10. */
        PRIVATE,
        /** 100.64/10: carrier-grade NAT, shared address space. */
        SHARED,
        /** 169.254/16, fe80::/10. */
        LINK_LOCAL,
        /** IPv6 unique local addresses, fc00::/7. */
        UNIQUE_LOCAL,
        /** 224/4, ff00::/8. */
        MULTICAST,
        /** Cloud instance metadata: 169.254.169.254, fd00:ec2::254, 100.100.100.200, 168.63.129.16. */
        METADATA,
        /** Documentation, benchmarking, future use, broadcast, Teredo, non-global IPv6: nothing to browse. */
        RESERVED;

        public boolean isPublic() {
            return this == PUBLIC;
        }

        /**
         * Whether a grant with {@link Capability.Net#privateAddresses()} reaches this kind through a
         * name: loopback, private, shared, link-local and unique-local. Metadata, unspecified,
         * multicast and reserved addresses are reached only through a URL and a grant naming the
         * exact address.
         */
        public boolean isPrivateNetwork() {
            return this == LOOPBACK || this == PRIVATE || this == SHARED || this == LINK_LOCAL || this == UNIQUE_LOCAL;
        }
    }

    /**
     * A parsed, normalised URL.
     *
     * @param uri the URL with the normalised host and no fragment
     * @param host lower-case ASCII host name, or an IP literal (dotted decimal, or IPv6 without brackets)
     * @param port the port, the scheme's default when the URL has none
     * @param literal the address when the host is an IP literal, else {@code null}
     */
    public record Target(URI uri, String host, int port, @Nullable InetAddress literal) {
        public Target {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(host, "host");
        }

        public boolean https() {
            return "https".equals(uri.getScheme());
        }

        /** The capability a request to this URL needs: {@code net(host, port)}. */
        public Capability.Net capability() {
            return Capability.net(host, port);
        }

        /** The {@code Host} header: the host, bracketed if IPv6, with the port unless it is the default. */
        public String authority() {
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            return port == (https() ? 443 : 80) ? h : h + ":" + port;
        }

        /** Path and query as sent in the request line; {@code /} when empty. */
        public String requestTarget() {
            String path = uri.getRawPath();
            String query = uri.getRawQuery();
            String p = path == null || path.isEmpty() ? "/" : path;
            return query == null ? p : p + "?" + query;
        }

        /** Whether {@code other} has the same scheme, host and port. */
        public boolean sameOrigin(Target other) {
            return uri.getScheme().equals(other.uri.getScheme()) && host.equals(other.host) && port == other.port;
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }

    /** A target and the addresses it may be connected to, every one of them checked. */
    public record Checked(Target target, List<InetAddress> addresses) {
        public Checked {
            Objects.requireNonNull(target, "target");
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("no addresses");
            }
        }
    }

    /** A URL the guard refused, with a message written for the model. */
    public static final class RefusedException extends AgentException {
        /** Why the URL was refused. */
        public enum Reason {
            /** Not an acceptable http(s) URL. */
            INVALID_URL,
            /** The host did not resolve. */
            UNRESOLVED,
            /** An address of the host is not public and the destination is not explicitly granted. */
            NOT_PUBLIC
        }

        private final Reason reason;

        public RefusedException(Reason reason, String message) {
            super(message);
            this.reason = Objects.requireNonNull(reason, "reason");
        }

        public Reason reason() {
            return reason;
        }
    }

    /** Parses and normalises an absolute http(s) URL. Pure. Throws {@link RefusedException} ({@code INVALID_URL}). */
    public static Target parse(String url) {
        Objects.requireNonNull(url, "url");
        String s = url.strip();
        if (s.isEmpty()) {
            throw invalid(url, "it is empty");
        }
        if (s.length() > MAX_URL_LENGTH) {
            throw invalid(url, "it is longer than " + MAX_URL_LENGTH + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '\\') {
                throw invalid(url, "it contains a space, a control character or a backslash");
            }
        }
        int colon = s.indexOf(':');
        if (colon <= 0) {
            throw invalid(url, "it has no scheme; use an absolute http:// or https:// URL");
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(url, "only http and https are allowed, not " + clip(scheme));
        }
        if (!s.startsWith("//", colon + 1)) {
            throw invalid(url, "it has no host");
        }
        int authorityStart = colon + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < s.length() && "/?#".indexOf(s.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = s.substring(authorityStart, authorityEnd);
        String rest = s.substring(authorityEnd);
        if (authority.indexOf('@') >= 0) {
            throw invalid(url, "user names and passwords in URLs are not allowed");
        }
        String rawHost;
        String rawPort = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw invalid(url, "its IPv6 address has no closing bracket");
            }
            rawHost = authority.substring(0, close + 1);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw invalid(url, "unexpected text after its IPv6 address");
                }
                rawPort = after.substring(1);
            }
        } else {
            int c = authority.indexOf(':');
            if (c >= 0) {
                rawHost = authority.substring(0, c);
                rawPort = authority.substring(c + 1);
            } else {
                rawHost = authority;
            }
        }
        int defaultPort = scheme.equals("https") ? 443 : 80;
        int port = rawPort == null || rawPort.isEmpty() ? defaultPort : parsePort(url, rawPort);
        HostForm host = normalizeHost(url, rawHost);
        String uriHost = host.name.indexOf(':') >= 0 ? "[" + host.name + "]" : host.name;
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        String built = scheme + "://" + uriHost + (port == defaultPort ? "" : ":" + port) + rest;
        URI uri;
        try {
            uri = new URI(built);
        } catch (URISyntaxException e) {
            throw invalid(url, "its path or query is malformed (" + clip(e.getReason()) + ")");
        }
        try {
            uri = new URI(uri.toASCIIString());
        } catch (URISyntaxException e) {
            throw invalid(url, "its path or query is malformed");
        }
        return new Target(uri, host.name, port, host.literal);
    }

    /**
     * Resolves {@code reference} (absolute, or relative as in an {@code href} or {@code Location})
     * against {@code base} and parses the result. Pure.
     */
    public static Target resolve(Target base, String reference) {
        String ref = reference.strip();
        URI resolved;
        try {
            resolved = base.uri().resolve(new URI(escapeLoosely(ref)));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw invalid(reference, "it is not a valid link");
        }
        return parse(resolved.toString());
    }

    /** The kind of network {@code address} belongs to. Pure. */
    public static AddressKind classify(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 ? classifyV4(b) : classifyV6(b);
    }

    /**
     * Whether {@code grants} let a request for {@code target} reach {@code address} (one of the
     * addresses its host resolved to, or its literal). Pure. The rule:
     * <ul>
     *   <li>a {@linkplain AddressKind#PUBLIC public} address: always (the {@code Net} grant for the
     *       host itself is the registry's check, not this one);
     *   <li>the URL names this very address as an IP literal, and a {@link Capability.Net} grant
     *       names the same address (any spelling) for port 0 or the URL's port: always, whatever
     *       the kind, cloud metadata included;
     *   <li>a {@linkplain AddressKind#isPrivateNetwork() private-network} address: when a grant with
     *       {@link Capability.Net#privateAddresses()} covers the URL's host and port;
     *   <li>anything else (metadata, unspecified, multicast, reserved reached through a name):
     *       never.
     * </ul>
     */
    public static boolean permits(Grants grants, Target target, InetAddress address) {
        AddressKind kind = classify(address);
        if (kind.isPublic()) {
            return true;
        }
        String text = literal(address);
        InetAddress named = target.literal();
        if (named != null && literal(named).equals(text) && grants.namesAddress(text, target.port())) {
            return true;
        }
        return kind.isPrivateNetwork() && grants.allows(target.capability().allowingPrivateAddresses());
    }

    /**
     * Checks addresses found for {@code target} (or the target's literal): every one must be
     * {@linkplain #permits permitted}, and the host must not be a name that is local or metadata by
     * definition ({@link #precheck}). Pure. The addresses of the result carry no host name, so nothing
     * downstream can resolve one again. Throws {@link RefusedException} ({@code NOT_PUBLIC}) naming the
     * first address refused.
     */
    public static Checked checkAddresses(Target target, List<InetAddress> addresses, Grants grants) {
        checkName(target, grants);
        var stripped = new ArrayList<InetAddress>(addresses.size());
        for (InetAddress a : addresses) {
            if (!permits(grants, target, a)) {
                throw notPublic(target, classify(a), literal(a));
            }
            stripped.add(withoutName(a));
        }
        return new Checked(target, stripped);
    }

    /**
     * What {@link #check} decides before any lookup: for an IP literal the whole address check; for a
     * name, the refusal of names that are metadata or loopback by definition
     * ({@code metadata.google.internal}, {@code localhost}, {@code *.localhost}) unless, for the
     * loopback ones, a grant allowing private addresses covers them. Pure. Throws {@link RefusedException}.
     */
    public static void precheck(Target target, Grants grants) {
        InetAddress literal = target.literal();
        if (literal != null) {
            checkAddresses(target, List.of(literal), grants);
        } else {
            checkName(target, grants);
        }
    }

    /**
     * Resolves the target's host (unless it is an IP literal) and {@linkplain #checkAddresses checks}
     * every address. <strong>Blocks</strong> on DNS for host names. Throws {@link RefusedException}
     * ({@code UNRESOLVED} or {@code NOT_PUBLIC}).
     */
    public static Checked check(Target target, Grants grants) {
        // Refuse what needs no resolver before asking one.
        precheck(target, grants);
        InetAddress literal = target.literal();
        if (literal != null) {
            return new Checked(target, List.of(literal));
        }
        InetAddress[] found;
        try {
            found = InetAddress.getAllByName(target.host());
        } catch (UnknownHostException | SecurityException e) {
            throw unresolved(target);
        }
        if (found.length == 0) {
            throw unresolved(target);
        }
        return checkAddresses(target, List.of(found), grants);
    }

    /** The refusal for a host without addresses. */
    public static RefusedException unresolved(Target target) {
        return new RefusedException(RefusedException.Reason.UNRESOLVED,
                "The host " + target.host() + " could not be resolved.");
    }

    private static InetAddress withoutName(InetAddress a) {
        try {
            return a instanceof java.net.Inet6Address
                    ? java.net.Inet6Address.getByAddress(null, a.getAddress(), -1)
                    : InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** {@link #parse} then {@link #precheck}: the checks that need no resolver. Pure. */
    public static Target checkLiteral(String url, Grants grants) {
        Target t = parse(url);
        precheck(t, grants);
        return t;
    }

    /** Refuses names that are metadata by definition, and loopback ones unless a private-address grant covers them. */
    private static void checkName(Target target, Grants grants) {
        if (target.literal() != null) {
            return;
        }
        if (METADATA_NAMES.contains(target.host())) {
            throw notPublic(target, AddressKind.METADATA, target.host());
        }
        if ((target.host().equals("localhost") || target.host().endsWith(".localhost"))
                && !grants.allows(target.capability().allowingPrivateAddresses())) {
            throw notPublic(target, AddressKind.LOOPBACK, target.host());
        }
    }

    /** The textual literal of an address, as grants spell it: dotted decimal or compressed IPv6. */
    public static String literal(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        var sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private record HostForm(String name, @Nullable InetAddress literal) {}

    private static HostForm normalizeHost(String url, String raw) {
        if (raw.isEmpty()) {
            throw invalid(url, "it has no host");
        }
        if (raw.indexOf('%') >= 0) {
            throw invalid(url, "percent-encoded hosts and IPv6 zone ids are not allowed");
        }
        if (raw.startsWith("[")) {
            String inner = raw.substring(1, raw.length() - 1).toLowerCase(Locale.ROOT);
            InetAddress a = parseV6(inner);
            if (a == null) {
                throw invalid(url, "its IPv6 address is malformed");
            }
            return new HostForm(literal(a), a);
        }
        String h = raw;
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty() || h.startsWith(".") || h.contains("..")) {
            throw invalid(url, "its host has an empty label");
        }
        try {
            h = IDN.toASCII(h, 0);
        } catch (IllegalArgumentException e) {
            throw invalid(url, "its host is not a valid international domain name");
        }
        h = h.toLowerCase(Locale.ROOT);
        if (h.length() > MAX_HOST_LENGTH) {
            throw invalid(url, "its host is longer than " + MAX_HOST_LENGTH + " characters");
        }
        String[] labels = h.split("\\.", -1);
        String last = labels[labels.length - 1];
        if (looksNumeric(last)) {
            byte[] v4 = parseV4(labels);
            if (v4 == null) {
                throw invalid(url, "its host looks like an IPv4 address but is not a valid one");
            }
            try {
                InetAddress a = InetAddress.getByAddress(v4);
                return new HostForm(literal(a), a);
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                throw invalid(url, "its host has an invalid label");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                    throw invalid(url, "its host contains the character '" + c + "'");
                }
            }
        }
        return new HostForm(h, null);
    }

    /** WHATWG "ends in a number": all digits, or 0x followed by hex digits (or nothing). */
    private static boolean looksNumeric(String label) {
        if (label.isEmpty()) {
            return false;
        }
        if (label.startsWith("0x")) {
            return true; // a bad hex number ("0xg") is refused rather than looked up as a name
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The IPv4 parser of browsers and inet_aton: 1 to 4 parts, each decimal, octal (0…) or hex (0x…). */
    private static byte @Nullable [] parseV4(String[] parts) {
        if (parts.length > 4) {
            return null;
        }
        long[] n = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            int radix = 10;
            if (p.startsWith("0x")) {
                radix = 16;
                p = p.substring(2);
                if (p.isEmpty()) {
                    n[i] = 0;
                    continue;
                }
            } else if (p.length() > 1 && p.startsWith("0")) {
                radix = 8;
                p = p.substring(1);
            }
            if (p.isEmpty() || p.length() > 12) {
                return null;
            }
            long v = 0;
            for (int k = 0; k < p.length(); k++) {
                int d = Character.digit(p.charAt(k), radix);
                if (d < 0) {
                    return null;
                }
                v = v * radix + d;
            }
            n[i] = v;
        }
        for (int i = 0; i < n.length - 1; i++) {
            if (n[i] > 255) {
                return null;
            }
        }
        long lastMax = 1L << (8 * (5 - n.length));
        if (n[n.length - 1] >= lastMax) {
            return null;
        }
        long value = n[n.length - 1];
        for (int i = 0; i < n.length - 1; i++) {
            value += n[i] << (8 * (3 - i));
        }
        return new byte[]{(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** Parses an IPv6 literal without brackets or zone: eight groups, {@code ::}, a dotted IPv4 tail. */
    static @Nullable InetAddress parseV6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                return null;
            }
        }
        byte[] out = new byte[16];
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        List<Integer> front = groups(head, dbl < 0);
        List<Integer> back = dbl >= 0 ? groups(tail, true) : List.of();
        if (front == null || back == null) {
            return null;
        }
        // An IPv4 tail (two groups) may only end the address.
        int total = front.size() + back.size();
        if (dbl < 0 ? total != 8 : total > 7) {
            return null;
        }
        for (int i = 0; i < front.size(); i++) {
            out[2 * i] = (byte) (front.get(i) >>> 8);
            out[2 * i + 1] = (byte) (int) front.get(i);
        }
        for (int i = 0; i < back.size(); i++) {
            int g = 8 - back.size() + i;
            out[2 * g] = (byte) (back.get(i) >>> 8);
            out[2 * g + 1] = (byte) (int) back.get(i);
        }
        return v6(out);
    }

    /** Groups of one side of an IPv6 literal; the last group may be dotted IPv4 when {@code ipv4Tail}. */
    private static @Nullable List<Integer> groups(String part, boolean ipv4Tail) {
        var out = new ArrayList<Integer>(8);
        if (part.isEmpty()) {
            return out;
        }
        String[] gs = part.split(":", -1);
        for (int i = 0; i < gs.length; i++) {
            String g = gs[i];
            if (g.indexOf('.') >= 0) {
                if (!ipv4Tail || i != gs.length - 1) {
                    return null;
                }
                byte[] v4 = strictV4(g);
                if (v4 == null) {
                    return null;
                }
                out.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
                out.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
                continue;
            }
            if (g.isEmpty() || g.length() > 4) {
                return null;
            }
            out.add(Integer.parseInt(g, 16));
        }
        return out;
    }

    private static byte @Nullable [] strictV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.startsWith("0"))) {
                return null;
            }
            for (int k = 0; k < p.length(); k++) {
                if (p.charAt(k) < '0' || p.charAt(k) > '9') {
                    return null;
                }
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** An IPv6 address that stays IPv6 (the JDK turns ::ffff:a.b.c.d into an Inet4Address). */
    private static InetAddress v6(byte[] bytes) {
        try {
            return java.net.Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static AddressKind classifyV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        int a3 = b[3] & 0xff;
        if ((a0 == 169 && a1 == 254 && a2 == 169 && a3 == 254) || (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200)
                || (a0 == 168 && a1 == 63 && a2 == 129 && a3 == 16)) {
            return AddressKind.METADATA;
        }
        if (a0 == 0) {
            return AddressKind.UNSPECIFIED;
        }
        if (a0 == 127) {
            return AddressKind.LOOPBACK;
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return AddressKind.PRIVATE;
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return AddressKind.SHARED;
        }
        if (a0 == 169 && a1 == 254) {
            return AddressKind.LINK_LOCAL;
        }
        if (a0 >= 224 && a0 <= 239) {
            return AddressKind.MULTICAST;
        }
        if (a0 >= 240 || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) || (a0 == 198 && (a1 & 0xfe) == 18)
                || (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)
                || (a0 == 192 && a1 == 88 && a2 == 99)) {
            return AddressKind.RESERVED;
        }
        return AddressKind.PUBLIC;
    }

    private static AddressKind classifyV6(byte[] b) {
        boolean first80Zero = true;
        for (int i = 0; i < 10; i++) {
            first80Zero &= b[i] == 0;
        }
        int w5 = ((b[10] & 0xff) << 8) | (b[11] & 0xff);
        if (first80Zero && w5 == 0) {
            boolean upperZero = b[12] == 0 && b[13] == 0 && b[14] == 0;
            if (upperZero && b[15] == 0) {
                return AddressKind.UNSPECIFIED;
            }
            if (upperZero && b[15] == 1) {
                return AddressKind.LOOPBACK;
            }
            return classifyV4(tail(b, 12)); // IPv4-compatible ::a.b.c.d (deprecated)
        }
        if (first80Zero && w5 == 0xffff) {
            return classifyV4(tail(b, 12)); // IPv4-mapped ::ffff:a.b.c.d
        }
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        int w2 = ((b[4] & 0xff) << 8) | (b[5] & 0xff);
        boolean zero32to96 = true;
        for (int i = 4; i < 12; i++) {
            zero32to96 &= b[i] == 0;
        }
        if (w0 == 0 && w1 == 0 && w2 == 0 && b[6] == 0 && b[7] == 0 && w5 == 0 && b[8] == (byte) 0xff
                && b[9] == (byte) 0xff) {
            return classifyV4(tail(b, 12)); // SIIT ::ffff:0:a.b.c.d
        }
        if (w0 == 0x64 && w1 == 0xff9b) {
            return zero32to96 ? classifyV4(tail(b, 12)) : AddressKind.RESERVED; // NAT64; 64:ff9b:1::/48 is local use
        }
        if (w0 == 0x2002) {
            AddressKind inner = classifyV4(tail(b, 2)); // 6to4 carries the site's IPv4 address
            return inner.isPublic() ? AddressKind.PUBLIC : inner;
        }
        if (w0 == 0xfd00 && w1 == 0x0ec2 && zero32to96 && b[12] == 0 && b[13] == 0 && b[14] == 0x02
                && b[15] == 0x54) {
            return AddressKind.METADATA; // fd00:ec2::254, the EC2 metadata service over IPv6
        }
        if ((w0 & 0xfe00) == 0xfc00) {
            return AddressKind.UNIQUE_LOCAL;
        }
        if ((w0 & 0xffc0) == 0xfe80) {
            return AddressKind.LINK_LOCAL;
        }
        if ((w0 & 0xffc0) == 0xfec0) {
            return AddressKind.PRIVATE;
        }
        if ((w0 & 0xff00) == 0xff00) {
            return AddressKind.MULTICAST;
        }
        if ((w0 == 0x2001 && w1 == 0x0db8) || (w0 == 0x2001 && w1 == 0) || (w0 == 0x0100 && w1 == 0 && w2 == 0)
                || (w0 == 0x3fff && (w1 & 0xf000) == 0)) {
            return AddressKind.RESERVED; // documentation, Teredo, discard-only
        }
        return (w0 & 0xe000) == 0x2000 ? AddressKind.PUBLIC : AddressKind.RESERVED;
    }

    private static byte[] tail(byte[] b, int from) {
        return new byte[]{b[from], b[from + 1], b[from + 2], b[from + 3]};
    }

    private static int parsePort(String url, String raw) {
        if (raw.length() > 5) {
            throw invalid(url, "its port is out of range");
        }
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) < '0' || raw.charAt(i) > '9') {
                throw invalid(url, "its port is not a number");
            }
        }
        int p = Integer.parseInt(raw);
        if (p < 1 || p > 65535) {
            throw invalid(url, "its port is out of range");
        }
        return p;
    }

    /** Percent-encodes what {@link URI} rejects in hrefs found in the wild (spaces, non-ASCII, brackets in paths). */
    private static String escapeLoosely(String ref) {
        var sb = new StringBuilder(ref.length());
        for (int i = 0; i < ref.length(); i++) {
            char c = ref.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "\"<>^`{|}".indexOf(c) >= 0) {
                for (byte x : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    sb.append('%')
                            .append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                            .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static RefusedException notPublic(Target target, AddressKind kind, String what) {
        String kindText = kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
        String port = ", " + target.port();
        String allow;
        if (target.literal() != null) {
            allow = "Such an address is reached only with a grant that names it exactly (net(\"" + target.host() + "\""
                    + port + ")); a wildcard grant does not cover it.";
        } else if (kind.isPrivateNetwork()) {
            allow = "A grant for a name reaches only its public addresses; reaching this one needs a grant that "
                    + "allows private addresses (net(\"" + target.host() + "\"" + port
                    + ").allowingPrivateAddresses()).";
        } else {
            allow = "A name never reaches such an address; only a URL that names the address, with a grant naming it "
                    + "exactly, does.";
        }
        return new RefusedException(RefusedException.Reason.NOT_PUBLIC,
                "Refused " + target.uri() + ": " + what + " is a " + kindText
                        + " address, not on the public internet. " + allow);
    }

    private static RefusedException invalid(String url, String why) {
        return new RefusedException(RefusedException.Reason.INVALID_URL,
                "Refused URL \"" + clip(url) + "\": " + why + ".");
    }

    private static String clip(@Nullable String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
