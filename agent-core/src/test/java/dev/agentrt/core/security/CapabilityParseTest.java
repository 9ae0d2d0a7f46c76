package dev.agentrt.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/** {@link Capability#parse}: the inverse of {@link Capability#describe()}, and clear errors for what is not one. */
class CapabilityParseTest {
    @TempDir
    Path tmp;

    @Test
    void everyKindReadsBackFromWhatDescribePrints() {
        List<Capability> all = List.of(Capability.fileRead(tmp.resolve("docs")), Capability.fileWrite(tmp),
                Capability.net("api.example.com"), Capability.net("api.example.com", 443),
                Capability.net("*.example.com"), Capability.net("*"), Capability.net("::1"),
                Capability.net("devbox.lan", 8080).allowingPrivateAddresses(),
                Capability.net("*.corp.example").allowingPrivateAddresses(), Capability.env("API_TOKEN"),
                Capability.env("*"), Capability.memoryRead(), Capability.memoryRead("notes"),
                Capability.memoryWrite(), Capability.memoryWrite("notes"), Capability.custom("payments", "refund"),
                Capability.custom("payments"));
        for (Capability c : all) {
            assertThat(Capability.parse(c.describe())).as(c.describe()).isEqualTo(c);
        }
    }

    @Test
    void theShortFormsMeanEveryNamespaceOrScope() {
        assertThat(Capability.parse("memory-read")).isEqualTo(Capability.memoryRead());
        assertThat(Capability.parse("memory-write:")).isEqualTo(Capability.memoryWrite());
        assertThat(Capability.parse("payments")).isEqualTo(Capability.custom("payments"));
        assertThat(Capability.parse("custom:payments:refund")).isEqualTo(Capability.custom("payments", "refund"));
        // describe() leaves an IPv6 host unbracketed; with a port it is written in brackets.
        assertThat(Capability.parse("  net:[::1]:8080 ")).isEqualTo(Capability.net("::1", 8080));
        assertThat(Capability.parse("net-private:[fd00::1]:22"))
                .isEqualTo(Capability.net("fd00::1", 22).allowingPrivateAddresses());
    }

    @Test
    void whatIsNotACapabilitySaysWhatIsWrong() {
        assertThatThrownBy(() -> Capability.parse(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an empty capability");
        assertThatThrownBy(() -> Capability.parse("net:")).hasMessage("'net:' lacks a host");
        assertThatThrownBy(() -> Capability.parse("file-read:")).hasMessage("'file-read:' lacks a path");
        assertThatThrownBy(() -> Capability.parse("env:")).hasMessage("'env:' lacks an environment variable name");
        assertThatThrownBy(() -> Capability.parse("net:example.com:http"))
                .hasMessage("'net:example.com:http' has an invalid port 'http'");
        assertThatThrownBy(() -> Capability.parse("net:example.com:70000"))
                .hasMessageContaining("port must be 0 (any) or 1-65535");
        assertThatThrownBy(() -> Capability.parse("net:[::1:80")).hasMessage("'net:[::1:80' has an unclosed '['");
        assertThatThrownBy(() -> Capability.parse("net-private:*"))
                .hasMessageStartingWith("'net-private:*': ")
                .hasMessageContaining("cannot allow private addresses");
        assertThatThrownBy(() -> Capability.parse("file-read:a\0b")).hasMessageStartingWith("'file-read:a");
        assertThatThrownBy(() -> Capability.parse(null)).isInstanceOf(NullPointerException.class);
    }
}
