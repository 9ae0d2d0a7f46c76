package dev.agentrt.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What an approver sees of a call's arguments: its meaning, not its credentials. */
class ScrubbedTest {
    @Test
    void keysTokensAndPasswordsAreRedactedAndTheRestKept() {
        String arguments = """
                {"url":"https://api.example.com/pay","headers":{"Authorization":"Bearer abc.def-123456"},\
                "password":"hunter2!","openai":"sk-proj-0123456789abcdefghij","aws":"AKIAABCDEFGHIJKLMNOP",\
                "jwt":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX3ZhbHVl","amount":120}""";

        String shown = Scrubbed.text(arguments, 10_000);

        assertThat(shown).contains("https://api.example.com/pay", "\"amount\":120", "Bearer [REDACTED]")
                .doesNotContain("abc.def-123456", "hunter2", "sk-proj-0123456789abcdefghij", "AKIAABCDEFGHIJKLMNOP",
                        "eyJzdWIiOiIxMjM0NTY3ODkwIn0");
    }

    @Test
    void aPrivateKeyIsRedactedWhole() {
        String shown = Scrubbed.text("key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done",
                10_000);

        assertThat(shown).isEqualTo("key: [REDACTED] done");
    }

    @Test
    void longTextIsCutAfterScrubbingAndSaysHowMuchWasLeftOut() {
        String shown = Scrubbed.text("token=abcdefgh " + "x".repeat(100), 20);

        assertThat(shown).startsWith("token=[REDACTED] xxx").endsWith("...[97 more characters]");
        assertThat(Scrubbed.text("short", 20)).isEqualTo("short");
    }
}
