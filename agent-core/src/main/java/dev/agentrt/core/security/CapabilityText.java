package dev.agentrt.core.security;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Reads capabilities written as {@link Capability#describe()} prints them: {@link Capability#parse}. */
final class CapabilityText {
    private CapabilityText() {}

    static Capability parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("an empty capability");
        }
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        String rest = colon < 0 ? "" : s.substring(colon + 1);
        return switch (kind) {
            case "file-read" -> Capability.fileRead(path(rest, s));
            case "file-write" -> Capability.fileWrite(path(rest, s));
            case "net" -> net(rest, s);
            case "net-private" -> privateNet(rest, s);
            case "env" -> Capability.env(required(rest, "an environment variable name", s));
            case "memory-read" -> Capability.memoryRead(rest.isEmpty() ? Capability.ANY : rest);
            case "memory-write" -> Capability.memoryWrite(rest.isEmpty() ? Capability.ANY : rest);
            case "custom" -> custom(required(rest, "a custom capability name", s));
            default -> custom(s);
        };
    }

    private static Capability custom(String nameAndScope) {
        int colon = nameAndScope.indexOf(':');
        if (colon < 0) {
            return Capability.custom(nameAndScope);
        }
        String scope = nameAndScope.substring(colon + 1);
        return Capability.custom(nameAndScope.substring(0, colon), scope.isEmpty() ? Capability.ANY : scope);
    }

    private static Path path(String path, String whole) {
        try {
            return Path.of(required(path, "a path", whole));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + whole + "' has an invalid path: " + e.getMessage(), e);
        }
    }

    private static Capability privateNet(String hostAndPort, String whole) {
        try {
            return net(hostAndPort, whole).allowingPrivateAddresses();
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith("'" + whole + "'")
                    ? e
                    : new IllegalArgumentException("'" + whole + "': " + e.getMessage(), e);
        }
    }

    /** {@code host}, {@code host:port}, an IPv6 literal, or {@code [ipv6]:port}. */
    private static Capability.Net net(String hostAndPort, String whole) {
        String s = required(hostAndPort, "a host", whole);
        String host = s;
        String port = "";
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("'" + whole + "' has an unclosed '['");
            }
            host = s.substring(1, end);
            String after = s.substring(end + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("'" + whole + "': expected ':port' after ']'");
                }
                port = after.substring(1);
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = s.substring(s.indexOf(':') + 1);
        }
        if (port.isEmpty()) {
            return Capability.net(host);
        }
        try {
            return Capability.net(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + whole + "' has an invalid port '" + port + "'", e);
        }
    }

    private static String required(String part, String what, String whole) {
        if (part.isBlank()) {
            throw new IllegalArgumentException("'" + whole + "' lacks " + what);
        }
        return part;
    }
}
