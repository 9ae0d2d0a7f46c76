package dev.agentrt.core.internal.net;

import dev.agentrt.core.egress.EgressException;
import dev.agentrt.core.egress.EgressException.Kind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads one HTTP/1.1 response (RFC 9112) strictly, as a client that may be talking to a hostile
 * server: a status line {@code HTTP/1.x NNN reason}; header lines that are all {@code name: value}
 * with a token name (obsolete line folding is unfolded); interim 1xx responses skipped; the body
 * framed by exactly one of {@code Transfer-Encoding: chunked} (chunk sizes in hex, extensions
 * ignored, trailers read and dropped), a {@code Content-Length} (repeated only with one value), or
 * the end of the connection. Anything else — both framings at once, another transfer coding,
 * conflicting lengths, a header line without a colon, a chunk not followed by CRLF, a line, header
 * section or chunk extension over its size limit — is {@link Kind#BAD_RESPONSE}; a connection that
 * closes early is {@link Kind#BROKEN}. The body is kept up to a byte limit; the rest is never read.
 */
final class ResponseReader {
    static final int MAX_LINE = 16 * 1024;
    static final int MAX_HEADER_BYTES = 64 * 1024;
    static final int MAX_HEADERS = 200;
    static final int MAX_INTERIM = 16;
    static final int MAX_EXTENSION_BYTES = 64 * 1024;
    private static final int MAX_HEX_DIGITS = 16;
    /** Framing: read until the connection closes. */
    private static final long TO_CLOSE = -1;
    /** Framing: chunked transfer coding. */
    private static final long CHUNKED = -2;

    private ResponseReader() {}

    /**
     * Reads the response to a request with {@code method}. {@code readBody} sees the status and headers
     * (body empty) and decides whether the body is read at all.
     */
    static Response read(WireIn in, String method, long maxBodyBytes, Predicate<Response> readBody) throws IOException {
        int status;
        boolean http10;
        Map<String, List<String>> headers;
        int interim = 0;
        while (true) {
            String line = in.readLine(MAX_LINE, "the status line");
            if (line == null) {
                throw new EgressException(Kind.BROKEN, "the connection closed before a response arrived");
            }
            status = status(line);
            http10 = line.charAt(7) == '0';
            headers = headers(in, "the response headers");
            if (status >= 200) {
                break;
            }
            if (status == 101) {
                throw bad("the server switched protocols, which was not asked for");
            }
            if (++interim > MAX_INTERIM) {
                throw bad("the server sent more than " + MAX_INTERIM + " interim (1xx) responses");
            }
        }
        Response head = new Response(status, headers, new byte[0], false, false);
        if (method.equals("HEAD") || status == 204 || status == 304) {
            return head;
        }
        long length = framing(headers, http10);
        if (!readBody.test(head)) {
            return head;
        }
        var body = new Limited(maxBodyBytes, length);
        if (length == CHUNKED) {
            chunked(in, body);
        } else {
            fixed(in, body, length);
        }
        return new Response(status, headers, body.bytes(), body.overflow, true);
    }

    /** The body's length, or {@link #CHUNKED}, or {@link #TO_CLOSE}. */
    private static long framing(Map<String, List<String>> headers, boolean http10) {
        List<String> te = headers.get("transfer-encoding");
        List<String> cl = headers.get("content-length");
        if (te != null) {
            if (http10) {
                throw bad("an HTTP/1.0 response has a Transfer-Encoding");
            }
            if (cl != null) {
                throw bad("the response has both Transfer-Encoding and Content-Length");
            }
            List<String> codings = elements(te);
            if (!codings.equals(List.of("chunked"))) {
                throw bad("the response uses the transfer coding \"" + clip(String.join(", ", te))
                        + "\"; only chunked is understood");
            }
            return CHUNKED;
        }
        if (cl != null) {
            long length = -1;
            for (String v : elements(cl)) {
                if (!v.matches("[0-9]{1,18}")) {
                    throw bad("the response has an invalid Content-Length \"" + clip(v) + "\"");
                }
                long n = Long.parseLong(v);
                if (length >= 0 && n != length) {
                    throw bad("the response has conflicting Content-Length values");
                }
                length = n;
            }
            if (length < 0) {
                throw bad("the response has an empty Content-Length");
            }
            return length;
        }
        return TO_CLOSE;
    }

    /** The comma-separated elements of all values, trimmed, lower-case; empty elements dropped. */
    private static List<String> elements(List<String> values) {
        var out = new ArrayList<String>();
        for (String v : values) {
            for (String part : v.split(",", -1)) {
                String p = part.strip().toLowerCase(Locale.ROOT);
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** {@code HTTP/1.x SP 3DIGIT [SP reason]}, the status 100-599. */
    private static int status(String line) {
        if (line.length() < 12 || !line.startsWith("HTTP/1.") || (line.charAt(7) != '0' && line.charAt(7) != '1')
                || line.charAt(8) != ' ' || (line.length() > 12 && line.charAt(12) != ' ')) {
            throw bad("the server did not answer with an HTTP/1.x status line (it sent \"" + clip(line) + "\")");
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                throw bad("the status line has no valid status code (\"" + clip(line) + "\")");
            }
            status = status * 10 + (c - '0');
        }
        if (status < 100 || status > 599) {
            throw bad("the status code " + status + " is outside 100-599");
        }
        return status;
    }

    /** A header (or trailer) section up to its empty line; names lower-case. */
    private static Map<String, List<String>> headers(WireIn in, String what) throws IOException {
        var headers = new LinkedHashMap<String, List<String>>();
        String lastName = null;
        int bytes = 0;
        int count = 0;
        while (true) {
            String line = in.readLine(MAX_LINE, what);
            if (line == null) {
                throw new EgressException(Kind.BROKEN, "the connection closed in the middle of " + what);
            }
            if (line.isEmpty()) {
                var out = new LinkedHashMap<String, List<String>>();
                headers.forEach((k, v) -> out.put(k, List.copyOf(v)));
                return out;
            }
            bytes += line.length() + 2;
            if (++count > MAX_HEADERS || bytes > MAX_HEADER_BYTES) {
                throw bad(what + " are larger than " + MAX_HEADERS + " lines or " + MAX_HEADER_BYTES / 1024 + " KiB");
            }
            char first = line.charAt(0);
            if (first == ' ' || first == '\t') {
                // Obsolete line folding: a user agent replaces it with a space (RFC 9112, 5.2).
                if (lastName == null) {
                    throw bad(what + " begin with a continuation line");
                }
                List<String> values = headers.get(lastName);
                int i = values.size() - 1;
                values.set(i, (values.get(i) + " " + value(line, what)).strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw bad(what + " contain a line without a colon (\"" + clip(line) + "\")");
            }
            String name = line.substring(0, colon);
            if (!HttpSyntax.isToken(name)) {
                throw bad(what + " contain an invalid field name \"" + clip(name) + "\"");
            }
            lastName = name.toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(lastName, k -> new ArrayList<>(1)).add(value(line.substring(colon + 1), what));
        }
    }

    /** A field value without surrounding spaces and tabs; control characters other than tab refused. */
    private static String value(String raw, String what) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw bad(what + " contain a control character in a value");
            }
        }
        int start = 0;
        int end = raw.length();
        while (start < end && (raw.charAt(start) == ' ' || raw.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (raw.charAt(end - 1) == ' ' || raw.charAt(end - 1) == '\t')) {
            end--;
        }
        return raw.substring(start, end);
    }

    private static void chunked(WireIn in, Limited body) throws IOException {
        int extensionBytes = 0;
        while (true) {
            String line = in.readLine(MAX_LINE, "a chunk size line");
            if (line == null) {
                throw new EgressException(Kind.BROKEN, "the connection closed before the last chunk");
            }
            int digits = 0;
            while (digits < line.length() && Character.digit(line.charAt(digits), 16) >= 0) {
                digits++;
            }
            if (digits == 0) {
                throw bad("a chunk size is not a hexadecimal number (\"" + clip(line) + "\")");
            }
            if (digits > MAX_HEX_DIGITS) {
                throw bad("a chunk size has more than " + MAX_HEX_DIGITS + " digits");
            }
            int rest = digits;
            while (rest < line.length() && (line.charAt(rest) == ' ' || line.charAt(rest) == '\t')) {
                rest++;
            }
            if (rest < line.length() && line.charAt(rest) != ';') {
                throw bad("a chunk size is followed by \"" + clip(line.substring(rest)) + "\", not an extension");
            }
            extensionBytes += line.length() - digits;
            if (extensionBytes > MAX_EXTENSION_BYTES) {
                throw bad("the chunk extensions are larger than " + MAX_EXTENSION_BYTES / 1024 + " KiB");
            }
            long size = Long.parseUnsignedLong(line.substring(0, digits), 16);
            if (size < 0) {
                throw bad("a chunk size is larger than any body can be");
            }
            if (size == 0) {
                headers(in, "the trailer fields"); // read to the end of the message, then dropped
                return;
            }
            if (!fixed(in, body, size)) {
                return;
            }
            lineEnd(in);
        }
    }

    /** The CRLF (or LF) that must follow a chunk's data. */
    private static void lineEnd(WireIn in) throws IOException {
        int b = in.read();
        if (b == '\r') {
            b = in.read();
        }
        if (b < 0) {
            throw new EgressException(Kind.BROKEN, "the connection closed after a chunk's data");
        }
        if (b != '\n') {
            throw bad("a chunk's data is not followed by CRLF (the chunk is longer than its size says)");
        }
    }

    /**
     * Reads {@code length} bytes ({@link #TO_CLOSE}: up to the end of the stream) into the body;
     * false once the body went past its limit (the rest stays unread).
     */
    private static boolean fixed(WireIn in, Limited body, long length) throws IOException {
        byte[] buf = new byte[8192];
        long left = length == TO_CLOSE ? Long.MAX_VALUE : length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                if (length == TO_CLOSE) {
                    return true;
                }
                throw new EgressException(Kind.BROKEN, "the connection closed " + (length - left) + " bytes into a "
                        + "body of " + length);
            }
            left -= n;
            if (body.add(buf, n)) {
                return false;
            }
        }
        return true;
    }

    static EgressException bad(String why) {
        return new EgressException(Kind.BAD_RESPONSE, why);
    }

    private static String clip(String s) {
        var sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 80; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c >= 0x7f ? '?' : c);
        }
        return s.length() > 80 ? sb + "…" : sb.toString();
    }

    /** A body buffer that keeps at most {@code limit} bytes and remembers whether more came. */
    private static final class Limited {
        private final long limit;
        private final ByteArrayOutputStream bytes;
        boolean overflow;

        Limited(long limit, long expected) {
            this.limit = limit;
            this.bytes = new ByteArrayOutputStream((int) Math.max(64, Math.min(Math.min(limit, 64 * 1024),
                    expected < 0 ? 8192 : expected)));
        }

        /** Adds what fits; true once the body went past the limit. */
        boolean add(byte[] buf, int n) {
            long room = limit - bytes.size();
            if (n > room) {
                bytes.write(buf, 0, (int) Math.max(0, room));
                overflow = true;
                return true;
            }
            bytes.write(buf, 0, n);
            return false;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
