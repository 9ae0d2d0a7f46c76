package dev.agentrt.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void keysTokensAndPrivateKeysOfKnownShapesAreRedacted() {
        assertThat(Secrets.redact("use sk-ant-api03-abcdefghijklmnopqrstuvwxyz now")).isEqualTo("use [REDACTED] now");
        assertThat(Secrets.redact("id AKIAABCDEFGHIJKLMNOP end")).isEqualTo("id [REDACTED] end");
        assertThat(Secrets.redact("ghp_abcdefghijklmnopqrstuvwxyz0123")).isEqualTo("[REDACTED]");
        assertThat(Secrets.redact("github_pat_11ABCDEFG0123456789_abcdefghij")).isEqualTo("[REDACTED]");
        assertThat(Secrets.redact("slack xoxb-1234567890-abcdef")).isEqualTo("slack [REDACTED]");
        assertThat(Secrets.redact("key=AIza" + "0123456789abcdefghijklmnopqrstuvwxy")).isEqualTo("key=[REDACTED]");
        assertThat(Secrets.redact("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlMTIz ok"))
                .isEqualTo("jwt [REDACTED] ok");
        assertThat(Secrets.redact("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"))
                .isEqualTo("[REDACTED]");
    }

    @Test
    void theValueAfterASecretsNameIsRedactedAndTheNameKept() {
        assertThat(Secrets.redact("Authorization: Bearer abc123def456")).isEqualTo("Authorization: Bearer [REDACTED]");
        assertThat(Secrets.redact("Authorization: Basic YWxpY2U6c2VjcmV0"))
                .isEqualTo("Authorization: Basic [REDACTED]");
        assertThat(Secrets.redact("{\"api_key\": \"k-12345678\", \"q\": 1}"))
                .isEqualTo("{\"api_key\": \"[REDACTED]\", \"q\": 1}");
        assertThat(Secrets.redact("password=hunter22&user=bob")).isEqualTo("password=[REDACTED]&user=bob");
        assertThat(Secrets.redact("{\"token\":\"t0k3n-value\"}")).isEqualTo("{\"token\":\"[REDACTED]\"}");
    }

    @Test
    void ordinaryTextIsLeftAlone() {
        String text = "The tokenizer splits 12 tokens; see https://example.com/docs?page=2 for the password policy.";
        assertThat(Secrets.redact(text)).isEqualTo(text);
        assertThat(Secrets.redact("")).isEmpty();
        assertThatThrownBy(() -> Secrets.redact(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
    }
}
