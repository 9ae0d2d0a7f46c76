package dev.agentrt.core.model.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The signer against AWS's SigV4 test suite (src/test/resources/aws-sig-v4-test-suite, see the README
 * there): for each request, the canonical request, the string to sign and the Authorization header
 * are exactly the suite's.
 */
class BedrockSigV4Test {
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final Instant AT = Instant.parse("2015-08-30T12:36:00Z");

    static List<String> cases() {
        return List.of("get-header-key-duplicate", "get-header-value-order", "get-header-value-trim",
                "get-unreserved", "get-utf8", "get-vanilla", "get-vanilla-empty-query-key", "get-vanilla-query",
                "get-vanilla-query-order-encoded", "get-vanilla-query-order-key", "get-vanilla-query-order-key-case",
                "get-vanilla-query-order-value", "get-vanilla-query-unreserved", "get-vanilla-utf8-query",
                "get-vanilla-with-session-token", "post-header-key-case", "post-header-key-sort",
                "post-header-value-case", "post-sts-header-after", "post-sts-header-before", "post-vanilla",
                "post-vanilla-empty-query-value", "post-vanilla-query", "post-x-www-form-urlencoded",
                "post-x-www-form-urlencoded-parameters");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void signsEachRequestOfTheSuiteExactlyAsPublished(String name) {
        Request request = Request.parse(read(name, "req"));
        // The session token case: the token is the one its canonical request shows.
        String token = name.equals("get-vanilla-with-session-token")
                ? "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
                : null;
        var signer = new SigV4(new AwsCredentials("AKIDEXAMPLE", SECRET, token), "us-east-1", "service",
                Clock.fixed(AT, ZoneOffset.UTC));

        SigV4.Signed signed = signer.sign(request.method, request.path, request.query, request.headers,
                request.body, AT);

        assertThat(signed.canonicalRequest()).isEqualTo(read(name, "creq"));
        assertThat(signed.stringToSign()).isEqualTo(read(name, "sts"));
        assertThat(signed.authorization()).isEqualTo(read(name, "authz"));
    }

    @Test
    void aBedrockPathIsEncodedOnceMoreForTheCanonicalRequest() {
        // The model id's ':' goes out as %3A; the canonical request has it encoded again, as AWS
        // specifies for every service but S3.
        assertThat(SigV4.canonicalUri("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"))
                .isEqualTo("/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse-stream");
        assertThat(SigV4.encode("us.anthropic.claude-sonnet-4-5-20250929-v1:0", true))
                .isEqualTo("us.anthropic.claude-sonnet-4-5-20250929-v1%3A0");
        assertThat(SigV4.encode("arn:aws:bedrock:us-east-1:123456789012:inference-profile/x", true))
                .isEqualTo("arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fx");
    }

    @Test
    void theClientSignsTheHostTheJdkSendsTheDateAndTheSessionTokenThenAddsThem() {
        var signer = new SigV4(new AwsCredentials("AKIDEXAMPLE", SECRET, "token-1"), "us-east-1", "bedrock",
                Clock.fixed(AT, ZoneOffset.UTC));
        var added = new LinkedHashMap<String, String>();

        signer.sign(URI.create("https://bedrock-runtime.us-east-1.amazonaws.com:443/model/m/converse"),
                "{}".getBytes(StandardCharsets.UTF_8), added::put);

        assertThat(added).containsOnlyKeys("X-Amz-Date", "X-Amz-Security-Token", "Authorization");
        assertThat(added.get("X-Amz-Date")).isEqualTo("20150830T123600Z");
        assertThat(added.get("X-Amz-Security-Token")).isEqualTo("token-1");
        assertThat(added.get("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
                + "us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=");
        assertThat(SigV4.host(URI.create("https://a.example:443/x"))).isEqualTo("a.example");
        assertThat(SigV4.host(URI.create("http://127.0.0.1:8080/x"))).isEqualTo("127.0.0.1:8080");
        assertThat(new AwsCredentials("AKID", SECRET, "tok").toString()).doesNotContain(SECRET).doesNotContain("tok]");
    }

    private static String read(String name, String extension) {
        String path = "/aws-sig-v4-test-suite/" + name + "/" + name + "." + extension;
        try (InputStream in = Objects.requireNonNull(BedrockSigV4Test.class.getResourceAsStream(path), path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request of the suite: the request line, header lines ({@code Name:value}), a blank line and the body. */
    private record Request(String method, String path, String query, List<Map.Entry<String, String>> headers,
            byte[] body) {
        static Request parse(String text) {
            String[] parts = text.split("\n\n", 2);
            String[] lines = parts[0].split("\n");
            String[] requestLine = lines[0].split(" ");
            // The target may hold spaces; the last word is the protocol.
            String target = lines[0].substring(requestLine[0].length() + 1, lines[0].lastIndexOf(' '));
            int q = target.indexOf('?');
            var headers = new ArrayList<Map.Entry<String, String>>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.add(Map.entry(lines[i].substring(0, colon), lines[i].substring(colon + 1)));
            }
            byte[] body = parts.length > 1 ? parts[1].getBytes(StandardCharsets.UTF_8) : new byte[0];
            return new Request(requestLine[0], q < 0 ? target : target.substring(0, q),
                    q < 0 ? null : target.substring(q + 1), headers, body);
        }
    }
}
