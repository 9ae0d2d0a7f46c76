package dev.agentrt.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.security.UrlGuard.AddressKind;
import dev.agentrt.core.security.UrlGuard.RefusedException;
import dev.agentrt.core.security.UrlGuard.RefusedException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.List;

class UrlGuardTest {
    static AddressKind kindOf(String url) {
        UrlGuard.Target t = UrlGuard.parse(url);
        assertThat(t.literal()).as("%s has a literal host", url).isNotNull();
        return UrlGuard.classify(t.literal());
    }

    static Reason refusal(String url, Grants grants) {
        try {
            UrlGuard.checkLiteral(url, grants);
        } catch (RefusedException e) {
            return e.reason();
        }
        throw new AssertionError("not refused: " + url);
    }

    @ParameterizedTest
    @CsvSource({
            "http://127.0.0.1/, 127.0.0.1, LOOPBACK",
            "http://2130706433/, 127.0.0.1, LOOPBACK",
            "http://0177.0.0.1/, 127.0.0.1, LOOPBACK",
            "http://0x7f.0.0.1/, 127.0.0.1, LOOPBACK",
            "http://0x7f000001/, 127.0.0.1, LOOPBACK",
            "http://127.1/, 127.0.0.1, LOOPBACK",
            "http://127.0.1/, 127.0.0.1, LOOPBACK",
            "http://017700000001/, 127.0.0.1, LOOPBACK",
            "http://127.0.0.1./, 127.0.0.1, LOOPBACK",
            "http://0.0.0.0/, 0.0.0.0, UNSPECIFIED",
            "http://0/, 0.0.0.0, UNSPECIFIED",
            "http://169.254.169.254/latest/meta-data/, 169.254.169.254, METADATA",
            "http://2852039166/, 169.254.169.254, METADATA",
            "http://0xa9.0xfe.0xa9.0xfe/, 169.254.169.254, METADATA",
            "http://100.100.100.200/, 100.100.100.200, METADATA",
            "http://169.254.1.1/, 169.254.1.1, LINK_LOCAL",
            "http://10.1.2.3/, 10.1.2.3, PRIVATE",
            "http://012.1.2.3/, 10.1.2.3, PRIVATE",
            "http://172.16.0.1/, 172.16.0.1, PRIVATE",
            "http://172.31.255.255/, 172.31.255.255, PRIVATE",
            "http://192.168.0.1/, 192.168.0.1, PRIVATE",
            "http://3232235521/, 192.168.0.1, PRIVATE",
            "http://100.64.0.1/, 100.64.0.1, SHARED",
            "http://224.0.0.1/, 224.0.0.1, MULTICAST",
            "http://255.255.255.255/, 255.255.255.255, RESERVED",
            "http://192.0.2.1/, 192.0.2.1, RESERVED",
            "http://172.32.0.1/, 172.32.0.1, PUBLIC",
            "http://100.128.0.1/, 100.128.0.1, PUBLIC",
            "http://8.8.8.8/, 8.8.8.8, PUBLIC",
            "http://134744072/, 8.8.8.8, PUBLIC",
    })
    void numericIpv4HostsAreRecognisedInEveryFormAndNormalisedToDottedDecimal(String url, String host,
            AddressKind kind) {
        UrlGuard.Target t = UrlGuard.parse(url);
        assertThat(t.host()).isEqualTo(host);
        assertThat(UrlGuard.classify(t.literal())).isEqualTo(kind);
        assertThat(t.uri().getHost()).isEqualTo(host);
    }

    @ParameterizedTest
    @CsvSource({
            "'http://[::1]/', LOOPBACK",
            "'http://[0:0:0:0:0:0:0:1]/', LOOPBACK",
            "'http://[::]/', UNSPECIFIED",
            "'http://[::ffff:127.0.0.1]/', LOOPBACK",
            "'http://[::ffff:7f00:1]/', LOOPBACK",
            "'http://[::ffff:169.254.169.254]/', METADATA",
            "'http://[::ffff:10.0.0.1]/', PRIVATE",
            "'http://[::127.0.0.1]/', LOOPBACK",
            "'http://[::ffff:0:127.0.0.1]/', LOOPBACK",
            "'http://[64:ff9b::127.0.0.1]/', LOOPBACK",
            "'http://[64:ff9b::a9fe:a9fe]/', METADATA",
            "'http://[64:ff9b::8.8.8.8]/', PUBLIC",
            "'http://[2002:7f00:1::]/', LOOPBACK",
            "'http://[2002:c0a8:101::1]/', PRIVATE",
            "'http://[2002:808:808::1]/', PUBLIC",
            "'http://[fd00:ec2::254]/', METADATA",
            "'http://[fd12:3456::1]/', UNIQUE_LOCAL",
            "'http://[fc00::1]/', UNIQUE_LOCAL",
            "'http://[fe80::1]/', LINK_LOCAL",
            "'http://[febf::1]/', LINK_LOCAL",
            "'http://[fec0::1]/', PRIVATE",
            "'http://[ff02::1]/', MULTICAST",
            "'http://[2001:db8::1]/', RESERVED",
            "'http://[2001::1]/', RESERVED",
            "'http://[2606:4700::1111]/', PUBLIC",
    })
    void ipv6HostsAreClassifiedIncludingTheFormsThatEmbedAnIpv4Address(String url, AddressKind kind) {
        assertThat(kindOf(url)).isEqualTo(kind);
    }

    @Test
    void ipv6LiteralsAreCompressedAndPortsKept() {
        UrlGuard.Target t = UrlGuard.parse("https://[0:0:0:0:0:0:0:1]:8443/a?b=c#frag");
        assertThat(t.host()).isEqualTo("::1");
        assertThat(t.port()).isEqualTo(8443);
        assertThat(t.authority()).isEqualTo("[::1]:8443");
        assertThat(t.uri().toString()).isEqualTo("https://[::1]:8443/a?b=c");
        assertThat(t.capability()).isEqualTo(Capability.net("::1", 8443));
    }

    @Test
    void namesAreLowerCasedConvertedFromIdnAndLoseTheirTrailingDot() {
        UrlGuard.Target t = UrlGuard.parse("HTTPS://Bücher.Example.COM./x%20y?q=ü");
        assertThat(t.host()).isEqualTo("xn--bcher-kva.example.com");
        assertThat(t.literal()).isNull();
        assertThat(t.port()).isEqualTo(443);
        assertThat(t.requestTarget()).isEqualTo("/x%20y?q=%C3%BC");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "gopher://127.0.0.1:6379/_",
            "http://user:pw@example.com/", "http://example.com@127.0.0.1/", "http://@example.com/",
            "example.com/path", "//example.com/", "http://", "http:///path", "http://exa mple.com/",
            "http://example.com\\@evil/", "http://ex%61mple.com/", "http://[fe80::1%25eth0]/", "http://[::1/",
            "http://[1::2::3]/", "http://[12345::1]/", "http://1.2.3.4.5/", "http://256.0.0.1/", "http://0x1g/",
            "http://4294967296/", "http://09.0.0.1/", "http://example.com:0/", "http://example.com:65536/",
            "http://example.com:80a/", "http://exa..mple.com/", "http://-bad.example.com/", "http://ex!ample.com/",
            "http://example.com\u0000.evil/", "",
    })
    void malformedOrDisallowedUrlsAreRefusedAsInvalid(String url) {
        assertThatThrownBy(() -> UrlGuard.parse(url)).isInstanceOfSatisfying(RefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_URL));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/", "http://[::1]/", "http://0.0.0.0/", "http://169.254.169.254/", "http://2130706433/",
            "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://127.1/", "http://[::ffff:127.0.0.1]/",
            "http://10.0.0.1/", "http://localhost/", "http://app.localhost/", "http://metadata.google.internal/",
            "http://[fd00:ec2::254]/",
    })
    void nonPublicDestinationsAreRefusedUnderAWildcardGrant(String url) {
        assertThat(refusal(url, Grants.of(Capability.net("*"), Capability.net("*.internal"),
                Capability.net("*.localhost")))).isEqualTo(Reason.NOT_PUBLIC);
    }

    @Test
    void aGrantNamingTheAddressAllowsThatAddressWhenTheUrlNamesIt() {
        assertThat(UrlGuard.checkLiteral("http://127.0.0.1:8080/x", Grants.of(Capability.net("127.0.0.1"))).host())
                .isEqualTo("127.0.0.1");
        // Every spelling of the address is the same host once normalised.
        UrlGuard.checkLiteral("http://2130706433:8080/", Grants.of(Capability.net("127.0.0.1", 8080)));
        UrlGuard.checkLiteral("http://[::1]/", Grants.of(Capability.net("[::1]")));
        UrlGuard.checkLiteral("http://[::1]/", Grants.of(Capability.net("0:0:0:0:0:0:0:1")));
        UrlGuard.checkLiteral("http://[0:0::1]:9/", Grants.of(Capability.net("::1", 9)));
        UrlGuard.checkLiteral("http://[::ffff:127.0.0.1]/", Grants.of(Capability.net("::ffff:7f00:1")));
        // A metadata address only this way: the URL and a grant naming it exactly.
        UrlGuard.checkLiteral("http://169.254.169.254/", Grants.of(Capability.net("169.254.169.254")));
        UrlGuard.checkLiteral("http://[fd00:ec2::254]/", Grants.of(Capability.net("fd00:ec2::254")));
    }

    @Test
    void anAddressGrantCoversOnlyThatAddressAndPortAndNoNameThatResolvesToIt() throws Exception {
        var grants = Grants.of(Capability.net("127.0.0.1", 8080));
        assertThat(refusal("http://127.0.0.1:8081/", grants)).isEqualTo(Reason.NOT_PUBLIC);
        assertThat(refusal("http://127.0.0.2:8080/", grants)).isEqualTo(Reason.NOT_PUBLIC);
        assertThat(refusal("http://localhost:8080/", grants)).as("a name is not its address")
                .isEqualTo(Reason.NOT_PUBLIC);
        assertThat(refusal("http://[::1]:8080/", grants)).isEqualTo(Reason.NOT_PUBLIC);
        UrlGuard.Target byName = UrlGuard.parse("http://devbox.example:8080/");
        assertThatThrownBy(() -> UrlGuard.checkAddresses(byName, List.of(v4(127, 0, 0, 1)), grants))
                .isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.reason()).isEqualTo(
                        Reason.NOT_PUBLIC));
        assertThat(UrlGuard.permits(grants, byName, v4(127, 0, 0, 1))).isFalse();
    }

    @Test
    void aGrantNamingAHostReachesOnlyItsPublicAddresses() throws Exception {
        UrlGuard.Target t = UrlGuard.parse("https://intranet.example.com/");
        var exact = Grants.of(Capability.net("intranet.example.com"));
        for (InetAddress local : List.of(v4(127, 0, 0, 1), v4(10, 0, 0, 7), v4(192, 168, 1, 1), v4(172, 16, 0, 1),
                v4(100, 64, 0, 1), v4(169, 254, 1, 1), v4(169, 254, 169, 254), v4(0, 0, 0, 0),
                InetAddress.getByName("::1"), InetAddress.getByName("fd12::1"), InetAddress.getByName("fe80::1"),
                InetAddress.getByName("fd00:ec2::254"))) {
            assertThatThrownBy(() -> UrlGuard.checkAddresses(t, List.of(v4(8, 8, 4, 4), local), exact))
                    .as("%s", local)
                    .isInstanceOfSatisfying(RefusedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.NOT_PUBLIC);
                        assertThat(e.getMessage()).contains(UrlGuard.literal(local));
                    });
        }
        assertThat(UrlGuard.checkAddresses(t, List.of(v4(8, 8, 4, 4)), exact).addresses()).hasSize(1);
    }

    @Test
    void aGrantAllowingPrivateAddressesReachesTheLocalNetworkButNeverMetadata() throws Exception {
        UrlGuard.Target t = UrlGuard.parse("http://devbox.lan:8080/");
        var local = Grants.of(Capability.net("devbox.lan", 8080).allowingPrivateAddresses());
        for (InetAddress a : List.of(v4(127, 0, 0, 1), v4(10, 0, 0, 7), v4(192, 168, 1, 1), v4(100, 64, 0, 1),
                v4(169, 254, 1, 1), InetAddress.getByName("::1"), InetAddress.getByName("fd12::1"),
                InetAddress.getByName("fe80::1"))) {
            assertThat(UrlGuard.checkAddresses(t, List.of(a), local).addresses()).as("%s", a).hasSize(1);
        }
        for (InetAddress a : List.of(v4(169, 254, 169, 254), v4(100, 100, 100, 200), v4(0, 0, 0, 0),
                v4(224, 0, 0, 1), InetAddress.getByName("fd00:ec2::254"))) {
            assertThat(UrlGuard.permits(local, t, a)).as("%s", a).isFalse();
        }
        assertThat(UrlGuard.permits(local, UrlGuard.parse("http://devbox.lan:8081/"), v4(10, 0, 0, 7)))
                .as("another port")
                .isFalse();
        assertThat(UrlGuard.permits(Grants.of(Capability.net("*.lan").allowingPrivateAddresses()), t,
                v4(10, 0, 0, 7))).as("a subdomain pattern may allow private addresses").isTrue();
        // Even the metadata address itself, named by a grant, is not reached through a name.
        assertThat(UrlGuard.permits(Grants.of(Capability.net("169.254.169.254"), Capability.net("devbox.lan")), t,
                v4(169, 254, 169, 254))).isFalse();
    }

    @Test
    void namesThatAreLocalOrMetadataByDefinitionAreRefusedBeforeAnyLookup() {
        assertThat(refusal("http://localhost:3000/", Grants.of(Capability.net("localhost")))).isEqualTo(
                Reason.NOT_PUBLIC);
        UrlGuard.checkLiteral("http://localhost:3000/", Grants.of(Capability.net("localhost")
                .allowingPrivateAddresses()));
        assertThat(refusal("http://a.localhost/", Grants.of(Capability.net("localhost")
                .allowingPrivateAddresses()))).isEqualTo(Reason.NOT_PUBLIC);
        assertThat(refusal("http://metadata.google.internal/", Grants.of(Capability.net("metadata.google.internal")
                .allowingPrivateAddresses()))).isEqualTo(Reason.NOT_PUBLIC);
    }

    @Test
    void theAddressesOfACheckCarryNoNameThatCouldBeResolvedAgain() throws Exception {
        UrlGuard.Target t = UrlGuard.parse("https://public.example.com/");
        InetAddress named = InetAddress.getByAddress("public.example.com", new byte[]{8, 8, 4, 4});
        UrlGuard.Checked c = UrlGuard.checkAddresses(t, List.of(named), Grants.none());
        assertThat(c.addresses().get(0).toString()).isEqualTo("/8.8.4.4");
    }

    static InetAddress v4(int a, int b, int c, int d) throws java.net.UnknownHostException {
        return InetAddress.getByAddress(new byte[]{(byte) a, (byte) b, (byte) c, (byte) d});
    }

    @Test
    void literalAddressesNeedNoResolver() {
        UrlGuard.Checked c = UrlGuard.check(UrlGuard.parse("http://8.8.8.8/"), Grants.none());
        assertThat(c.addresses()).extracting(UrlGuard::literal).containsExactly("8.8.8.8");
    }

    @Test
    void linksAndRedirectsAreResolvedAgainstTheirPageAndCheckedAgain() {
        UrlGuard.Target page = UrlGuard.parse("https://example.com/docs/a.html");
        assertThat(UrlGuard.resolve(page, "b.html").uri().toString()).isEqualTo("https://example.com/docs/b.html");
        assertThat(UrlGuard.resolve(page, "/x y").requestTarget()).isEqualTo("/x%20y");
        assertThat(UrlGuard.resolve(page, "//2130706433/").host()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> UrlGuard.resolve(page, "javascript:alert(1)")).isInstanceOf(RefusedException.class);
        assertThatThrownBy(() -> UrlGuard.resolve(page, "http://u@x.com/")).isInstanceOf(RefusedException.class);
        assertThat(page.sameOrigin(UrlGuard.resolve(page, "/other"))).isTrue();
        assertThat(page.sameOrigin(UrlGuard.parse("http://example.com/"))).isFalse();
    }

    @Test
    void theRefusalMessageTellsTheModelWhatWouldAllowIt() throws Exception {
        assertThatThrownBy(() -> UrlGuard.checkLiteral("http://169.254.169.254/latest", Grants.of(Capability.net(
                "*")))).hasMessageContaining("169.254.169.254")
                .hasMessageContaining("metadata")
                .hasMessageContaining("net(\"169.254.169.254\", 80)");
        assertThatThrownBy(() -> UrlGuard.checkAddresses(UrlGuard.parse("https://db.example.com/"), List.of(
                InetAddress.getByAddress(new byte[]{10, 1, 2, 3})), Grants.of(Capability.net("db.example.com"))))
                .hasMessageContaining("10.1.2.3")
                .hasMessageContaining("private")
                .hasMessageContaining("net(\"db.example.com\", 443).allowingPrivateAddresses()");
    }
}
