package dev.agentrt.core.internal.net;

/** The grammar of HTTP/1.1 (RFC 9110) that requests and responses share. */
public final class HttpSyntax {
    private HttpSyntax() {}

    /** Whether {@code s} is a token: a method or a field name, one or more tchar. */
    public static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
