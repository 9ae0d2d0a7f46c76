package dev.agentrt.core.model.bedrock;

import org.jspecify.annotations.Nullable;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * AWS Signature Version 4 for one region and service, written against the published algorithm
 * (and tested with AWS's SigV4 test suite): the canonical request (method, the path as sent encoded
 * once more, the sorted and encoded query, the signed headers with trimmed values, the SHA-256 of
 * the body), the string to sign, the signing key derived from the secret by HMAC-SHA256 over date,
 * region, service and {@code aws4_request}, and the {@code Authorization} header.
 *
 * <p>Immutable and thread-safe; signing never blocks.
 */
final class SigV4 {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    private final AwsCredentials credentials;
    private final String region;
    private final String service;
    private final Clock clock;

    SigV4(AwsCredentials credentials, String region, String service, Clock clock) {
        this.credentials = credentials;
        this.region = region;
        this.service = service;
        this.clock = clock;
    }

    /** A request signed: the texts the signature covers and the headers to add to the request. */
    record Signed(String canonicalRequest, String stringToSign, String authorization, Map<String, String> added) {}

    /**
     * Signs a {@code POST} of {@code body} to {@code uri} now: the host, {@code x-amz-date} and (with a
     * session token) {@code x-amz-security-token} headers are signed; adds those the client does not
     * set itself, then {@code Authorization}.
     */
    void sign(URI uri, byte[] body, BiConsumer<String, String> add) {
        var headers = new ArrayList<Map.Entry<String, String>>(1);
        headers.add(Map.entry("host", host(uri)));
        Signed signed = sign("POST", uri.getRawPath(), uri.getRawQuery(), headers, body, clock.instant());
        signed.added().forEach(add);
    }

    /**
     * Signs a request.
     *
     * @param rawPath the path as it is sent (percent-encoded or not); it is encoded once more, as
     *     every service but S3 expects
     * @param rawQuery the query as it is sent, or null
     * @param headers the headers to sign, as sent (a name may repeat); {@code x-amz-date} is added
     *     unless present, and {@code x-amz-security-token} when the credentials have a session token
     */
    Signed sign(String method, String rawPath, @Nullable String rawQuery, List<Map.Entry<String, String>> headers,
            byte[] body, Instant now) {
        var canonical = new TreeMap<String, List<String>>();
        for (Map.Entry<String, String> h : headers) {
            canonical.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1))
                    .add(h.getValue());
        }
        var added = new LinkedHashMap<String, String>();
        String amzDate;
        List<String> given = canonical.get("x-amz-date");
        if (given != null) {
            amzDate = given.get(0).strip();
        } else {
            amzDate = AMZ_DATE.format(now);
            canonical.put("x-amz-date", List.of(amzDate));
            added.put("X-Amz-Date", amzDate);
        }
        String token = credentials.sessionToken();
        if (token != null && !canonical.containsKey("x-amz-security-token")) {
            canonical.put("x-amz-security-token", List.of(token));
            added.put("X-Amz-Security-Token", token);
        }
        String signedHeaders = String.join(";", canonical.keySet());
        var request = new StringBuilder(256).append(method)
                .append('\n')
                .append(canonicalUri(rawPath))
                .append('\n')
                .append(canonicalQuery(rawQuery))
                .append('\n');
        canonical.forEach((name, values) -> {
            request.append(name).append(':');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    request.append(',');
                }
                request.append(values.get(i).strip().replaceAll(" +", " "));
            }
            request.append('\n');
        });
        request.append('\n').append(signedHeaders).append('\n').append(hex(sha256(body)));
        String canonicalRequest = request.toString();
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        String signature = hex(hmac(signingKey(credentials.secretAccessKey(), date, region, service),
                stringToSign));
        String authorization = ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature;
        added.put("Authorization", authorization);
        return new Signed(canonicalRequest, stringToSign, authorization, Map.copyOf(added));
    }

    /** The key that signs on {@code date} (yyyyMMdd) in {@code region} for {@code service}. */
    static byte[] signingKey(String secret, String date, String region, String service) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        return hmac(key, "aws4_request");
    }

    /** The value of the {@code Host} header the JDK client sends for {@code uri}: no port when it is the scheme's default. */
    static String host(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        boolean defaultPort = port == -1 || https && port == 443 || !https && port == 80;
        return defaultPort ? host : host + ":" + port;
    }

    /** Each character of the path but {@code /} and the unreserved ones percent-encoded (so an encoded one twice). */
    static String canonicalUri(@Nullable String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        return encode(rawPath, false);
    }

    /** The query's parameters decoded, encoded the one canonical way, sorted by name and then value. */
    static String canonicalQuery(@Nullable String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        var pairs = new ArrayList<String[]>();
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            pairs.add(new String[]{encode(decode(name), true), encode(decode(value), true)});
        }
        pairs.sort((a, b) -> {
            int byName = a[0].compareTo(b[0]);
            return byName != 0 ? byName : a[1].compareTo(b[1]);
        });
        var out = new StringBuilder();
        for (String[] p : pairs) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** RFC 3986 encoding of the UTF-8 bytes of {@code s}: unreserved characters kept, {@code /} too unless {@code slash}. */
    static String encode(String s, boolean slash) {
        var out = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == '~' || c == '/' && !slash) {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Percent-decoding ({@code +} stays a plus); a {@code %} not followed by two hex digits stays as it is. */
    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        var bytes = new java.io.ByteArrayOutputStream(s.length());
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length && Character.digit(raw[i + 1], 16) >= 0
                    && Character.digit(raw[i + 2], 16) >= 0) {
                bytes.write(Character.digit(raw[i + 1], 16) << 4 | Character.digit(raw[i + 2], 16));
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
