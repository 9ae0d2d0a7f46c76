package dev.agentrt.otel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScrubberTest {
    @Test
    void replacesKeysTokensPasswordsAndPrivateKeys() {
        assertThat(Scrubber.scrub("use sk-ant-api03-abcdefghijklmnopqrstuvwxyz now")).isEqualTo("use [REDACTED] now");
        assertThat(Scrubber.scrub("Authorization: Bearer abc123def456")).isEqualTo("Authorization: Bearer [REDACTED]");
        assertThat(Scrubber.scrub("curl -H 'x' bearer abc123def456")).isEqualTo("curl -H 'x' bearer [REDACTED]");
        assertThat(Scrubber.scrub("{\"api_key\": \"k-12345678\", \"q\": 1}"))
                .isEqualTo("{\"api_key\": \"[REDACTED]\", \"q\": 1}");
        assertThat(Scrubber.scrub("password=hunter22&user=bob")).isEqualTo("password=[REDACTED]&user=bob");
        assertThat(Scrubber.scrub("id AKIAABCDEFGHIJKLMNOP end")).isEqualTo("id [REDACTED] end");
        assertThat(Scrubber.scrub("ghp_abcdefghijklmnopqrstuvwxyz0123")).isEqualTo("[REDACTED]");
        assertThat(Scrubber.scrub("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"))
                .isEqualTo("[REDACTED]");
    }

    @Test
    void leavesOrdinaryTextAlone() {
        String text = "The tokenizer splits 12 tokens; see https://example.com/docs?page=2 for the password policy.";
        assertThat(Scrubber.scrub(text)).isEqualTo(text);
    }

    @Test
    void cutsLongContent() {
        String scrubbed = Scrubber.scrub("a".repeat(Scrubber.MAX_CHARS + 10));
        assertThat(scrubbed).startsWith("a".repeat(Scrubber.MAX_CHARS)).endsWith("…[truncated 10 characters]");
    }
}
