package dev.agentrt.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class CapabilityTest {
    @TempDir
    Path tmp;

    @Test
    void aFileGrantCoversItselfAndWhatLiesBelowIt() {
        var grant = Capability.fileRead(tmp.resolve("app"));
        assertThat(grant.covers(Capability.fileRead(tmp.resolve("app")))).isTrue();
        assertThat(grant.covers(Capability.fileRead(tmp.resolve("app/src/A.java")))).isTrue();
        assertThat(grant.covers(Capability.fileRead(tmp.resolve("app2/A.java")))).as("sibling prefix").isFalse();
        assertThat(grant.covers(Capability.fileRead(tmp.resolve("app/../other")))).isFalse();
        assertThat(grant.covers(Capability.fileWrite(tmp.resolve("app/A.java")))).as("read is not write").isFalse();
    }

    @Test
    void aFileGrantComparesRealPaths() throws IOException {
        Path app = Files.createDirectories(tmp.resolve("app"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(app.resolve("out"), outside);
        Path alias = Files.createSymbolicLink(tmp.resolve("alias"), app);
        var grant = Capability.fileWrite(app);
        assertThat(grant.covers(Capability.fileWrite(app.resolve("out/new-file.txt")))).as("symlinked parent")
                .isFalse();
        assertThat(grant.covers(Capability.fileWrite(alias.resolve("new.txt")))).as("link into the grant").isTrue();
        assertThat(Capability.fileWrite(alias).covers(Capability.fileWrite(app.resolve("x")))).isTrue();
    }

    @Test
    void relativePathsAreResolvedAgainstTheWorkingDirectory() {
        Path cwd = Path.of("").toAbsolutePath();
        assertThat(Capability.fileRead(Path.of("docs")).path()).isEqualTo(cwd.resolve("docs"));
        assertThat(Capability.fileRead(Path.of(".")).covers(Capability.fileRead(cwd.resolve("pom.xml")))).isTrue();
    }

    @Test
    void aNulInAPathIsRejected() {
        assertThatThrownBy(() -> Capability.fileRead(Path.of("/tmp").resolve("a\0b")))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void hostsAreComparedNormalised() {
        assertThat(Capability.net("Example.COM.").covers(Capability.net("example.com", 443))).isTrue();
        assertThat(Capability.net("example.com", 443).covers(Capability.net("example.com", 80))).isFalse();
        assertThat(Capability.net("*.example.com").covers(Capability.net("api.example.com"))).isTrue();
        assertThat(Capability.net("*.example.com").covers(Capability.net("example.com"))).isFalse();
        assertThat(Capability.net("*.example.com").covers(Capability.net("evilexample.com"))).isFalse();
        assertThat(Capability.net("bücher.de").covers(Capability.net("xn--bcher-kva.de"))).isTrue();
        assertThat(Capability.net("[::1]").hostPattern()).isEqualTo("::1");
        assertThatThrownBy(() -> Capability.net("example.com", 70000)).hasMessageContaining("port");
    }

    @Test
    void aGrantAllowingPrivateAddressesIsADeliberateVariantThatOnlyItsLikeCovers() {
        Capability.Net local = Capability.net("devbox.lan", 8080).allowingPrivateAddresses();
        assertThat(local.privateAddresses()).isTrue();
        assertThat(local.describe()).isEqualTo("net-private:devbox.lan:8080");
        assertThat(Capability.net("devbox.lan", 8080).describe()).isEqualTo("net:devbox.lan:8080");
        assertThat(local).isNotEqualTo(Capability.net("devbox.lan", 8080));
        assertThat(local.allowingPrivateAddresses()).isSameAs(local);
        // As a grant it covers plain requests for its host; a plain grant never covers a private request.
        assertThat(local.covers(Capability.net("devbox.lan", 8080))).isTrue();
        assertThat(local.covers(Capability.net("devbox.lan", 8081))).isFalse();
        assertThat(Capability.net("devbox.lan").covers(local)).isFalse();
        assertThat(Capability.net("*").covers(local)).isFalse();
        assertThat(Capability.net("*.lan").allowingPrivateAddresses().covers(local)).isTrue();
        assertThat(Grants.of(Capability.net("*"), Capability.net("devbox.lan")).allows(local)).isFalse();
        assertThatThrownBy(() -> Capability.net("*").allowingPrivateAddresses())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("net(\"*\")");
        assertThatThrownBy(() -> new Capability.Net("*", 0, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ipv6LiteralsInGrantsAreCompressedSoEverySpellingIsOneGrant() {
        assertThat(Capability.net("0:0:0:0:0:0:0:1").hostPattern()).isEqualTo("::1");
        assertThat(Capability.net("[FD00:EC2:0::254]").hostPattern()).isEqualTo("fd00:ec2::254");
        assertThat(Capability.net("0:0::1", 80).covers(Capability.net("::1", 80))).isTrue();
    }

    @Test
    void namedCapabilitiesMatchByNameAndScope() {
        assertThat(Capability.env("*").covers(Capability.env("HOME"))).isTrue();
        assertThat(Capability.env("HOME").covers(Capability.env("PATH"))).isFalse();
        assertThat(Capability.memoryRead().covers(Capability.memoryRead("alice"))).isTrue();
        assertThat(Capability.memoryWrite("alice").covers(Capability.memoryWrite("bob"))).isFalse();
        assertThat(Capability.custom("payments").covers(Capability.custom("payments", "refund"))).isTrue();
        assertThat(Capability.custom("payments", "read").covers(Capability.custom("payments", "refund"))).isFalse();
        assertThat(Capability.memoryRead().covers(Capability.memoryWrite())).isFalse();
    }

    @Test
    void grantsReportWhatIsMissingInRequestOrder() {
        Grants g = Grants.of(Capability.env("HOME"), Capability.net("example.com"));
        assertThat(g.missing(List.of(Capability.env("HOME"), Capability.env("PATH"), Capability.net("evil.com"))))
                .containsExactly(Capability.env("PATH"), Capability.net("evil.com"));
        assertThat(g.missing(List.of(Capability.env("HOME")))).isEmpty();
        assertThat(Grants.none().allows(Capability.env("HOME"))).isFalse();
    }
}
