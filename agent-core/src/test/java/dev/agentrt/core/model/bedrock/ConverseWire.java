package dev.agentrt.core.model.bedrock;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.testing.FakeHttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The server side of the Converse wire format, for tests: event-stream messages encoded as AWS
 * encodes them, and an independent check of a received request's SigV4 signature (recomputed from
 * the method, path, headers and body the server received, not from the client's signer).
 */
final class ConverseWire {
    private ConverseWire() {}

    /** One event-stream message with string headers. */
    static byte[] message(Map<String, String> headers, byte[] payload) {
        var h = new ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            h.write(n.length);
            h.writeBytes(n);
            h.write(7);
            h.write(v.length >> 8);
            h.write(v.length & 0xff);
            h.writeBytes(v);
        });
        return frame(h.toByteArray(), payload);
    }

    /** A message with raw header bytes: prelude, prelude CRC, headers, payload, message CRC. */
    static byte[] frame(byte[] headers, byte[] payload) {
        int total = 12 + headers.length + payload.length + 4;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total).putInt(headers.length);
        b.putInt((int) crc(b.array(), 0, 8));
        b.put(headers).put(payload);
        b.putInt((int) crc(b.array(), 0, total - 4));
        return b.array();
    }

    /** A Converse stream event with a JSON payload. */
    static byte[] event(String type, String json) {
        var headers = new LinkedHashMap<String, String>();
        headers.put(":event-type", type);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "event");
        return message(headers, json.getBytes(StandardCharsets.UTF_8));
    }

    /** An exception message, as the service sends one inside a reply. */
    static byte[] exception(String type, String message) {
        var headers = new LinkedHashMap<String, String>();
        headers.put(":exception-type", type);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "exception");
        return message(headers,
                ("{\"message\":" + JsonValue.of(message).toJson() + "}").getBytes(StandardCharsets.UTF_8));
    }

    static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------- streams

    static byte[] textStream(String text, String stopReason) {
        return concat(event("messageStart", "{\"role\":\"assistant\",\"p\":\"abcdefgh\"}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":"
                        + JsonValue.of(text).toJson() + "},\"p\":\"abcd\"}"),
                event("contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"ab\"}"),
                event("messageStop", "{\"stopReason\":\"" + stopReason + "\",\"p\":\"abcdef\"}"),
                event("metadata", "{\"usage\":{\"inputTokens\":10,\"outputTokens\":5,\"totalTokens\":15},"
                        + "\"metrics\":{\"latencyMs\":120},\"p\":\"abc\"}"));
    }

    static byte[] toolStream(String id, String name, List<String> fragments) {
        var parts = new ArrayList<byte[]>();
        parts.add(event("messageStart", "{\"role\":\"assistant\"}"));
        parts.add(event("contentBlockStart", "{\"contentBlockIndex\":0,\"start\":{\"toolUse\":{\"toolUseId\":\"" + id
                + "\",\"name\":\"" + name + "\"}}}"));
        for (String f : fragments) {
            parts.add(event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"toolUse\":{\"input\":"
                    + JsonValue.of(f).toJson() + "}}}"));
        }
        parts.add(event("contentBlockStop", "{\"contentBlockIndex\":0}"));
        parts.add(event("messageStop", "{\"stopReason\":\"tool_use\"}"));
        parts.add(event("metadata", "{\"usage\":{\"inputTokens\":20,\"outputTokens\":30,\"totalTokens\":50}}"));
        return concat(parts.toArray(byte[][]::new));
    }

    static FakeHttpServer.Responder eventStream(byte[] body, String... headers) {
        return FakeHttpServer.Responder.stream("application/vnd.amazon.eventstream", List.of(body),
                java.time.Duration.ZERO, headers);
    }

    /** The body written one byte per flushed piece. */
    static FakeHttpServer.Responder eventStreamByteByByte(byte[] body) {
        var pieces = new ArrayList<byte[]>(body.length);
        for (byte b : body) {
            pieces.add(new byte[]{b});
        }
        return FakeHttpServer.Responder.stream("application/vnd.amazon.eventstream", pieces, java.time.Duration.ZERO);
    }

    private static long crc(byte[] bytes, int offset, int length) {
        var crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    // ------------------------------------------------------------------------------- signatures

    /**
     * Why the request's signature is not valid for the key pair (and region, service bedrock), or
     * null when it is: the Authorization header is parsed, the canonical request rebuilt from what
     * arrived (every signed header as received, the path encoded once more, the SHA-256 of the body
     * received) and the signature recomputed.
     */
    static String signatureProblem(FakeHttpServer.Recorded r, String accessKeyId, String secret, String region) {
        String authorization = r.header("Authorization");
        if (authorization == null) {
            return "no Authorization header";
        }
        var m = java.util.regex.Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/"
                + "aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})").matcher(authorization);
        if (!m.matches()) {
            return "malformed Authorization: " + authorization;
        }
        if (!m.group(1).equals(accessKeyId) || !m.group(3).equals(region) || !m.group(4).equals("bedrock")) {
            return "wrong credential scope: " + authorization;
        }
        String amzDate = r.header("X-Amz-Date");
        if (amzDate == null || !amzDate.startsWith(m.group(2))) {
            return "x-amz-date " + amzDate + " does not match the scope's date";
        }
        var signed = new TreeMap<String, String>();
        for (String name : m.group(5).split(";")) {
            String value = name.equals("host") ? r.header("Host") : r.header(name);
            if (value == null) {
                return "signed header " + name + " was not received";
            }
            signed.put(name, value.strip());
        }
        if (!signed.containsKey("host") || !signed.containsKey("x-amz-date")) {
            return "host and x-amz-date must be signed";
        }
        String path = r.path();
        int q = path.indexOf('?');
        var canonical = new StringBuilder(r.method()).append('\n');
        for (byte b : (q < 0 ? path : path.substring(0, q)).getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || "-_.~/".indexOf(c) >= 0) {
                canonical.append(c);
            } else {
                canonical.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        canonical.append('\n').append(q < 0 ? "" : path.substring(q + 1)).append('\n');
        signed.forEach((name, value) -> canonical.append(name).append(':').append(value).append('\n'));
        canonical.append('\n')
                .append(m.group(5))
                .append('\n')
                .append(hex(sha256(r.body().getBytes(StandardCharsets.UTF_8))));
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + m.group(2) + "/" + region
                + "/bedrock/aws4_request\n" + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), m.group(2));
        key = hmac(key, region);
        key = hmac(key, "bedrock");
        key = hmac(key, "aws4_request");
        String expected = hex(hmac(key, stringToSign));
        return expected.equals(m.group(6)) ? null : "signature mismatch over:\n" + canonical;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
