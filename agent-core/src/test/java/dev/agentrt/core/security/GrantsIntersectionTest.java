package dev.agentrt.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Grants#intersect}: what both sides allow, exactly. Runs on the test thread, which may block (file checks
 * resolve real paths).
 */
class GrantsIntersectionTest {
    @TempDir
    Path temp;

    @Test
    void aSubAgentGrantedADirectoryGetsOnlyTheSubdirectoryItsCallerHas() throws IOException {
        Path a = Files.createDirectories(temp.resolve("a"));
        Path b = Files.createDirectories(a.resolve("b"));
        Files.createDirectories(a.resolve("c"));
        Grants sub = Grants.of(Capability.fileRead(a));
        Grants caller = Grants.of(Capability.fileRead(b));

        Grants both = sub.intersect(caller);

        assertThat(both.allows(Capability.fileRead(b.resolve("x")))).isTrue();
        assertThat(both.allows(Capability.fileRead(b))).isTrue();
        assertThat(both.allows(Capability.fileRead(a))).isFalse();
        assertThat(both.allows(Capability.fileRead(a.resolve("c/y")))).isFalse();
        assertThat(both.allows(Capability.fileRead(a.resolve("b/../c/y")))).isFalse();
        assertThat(both.allows(Capability.fileWrite(b.resolve("x")))).isFalse();
        // The same the other way round: intersection is symmetric.
        assertThat(caller.intersect(sub).allows(Capability.fileRead(a))).isFalse();
        assertThat(caller.intersect(sub).allows(Capability.fileRead(b.resolve("x")))).isTrue();
        assertThat(both.capabilities()).containsExactly(Capability.fileRead(b));
    }

    @Test
    void aLinkInsideTheCallersGrantThatLeadsOutOfTheSubAgentsIsJudgedByWhereItLeads() throws IOException {
        Path a = Files.createDirectories(temp.resolve("a"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "s");
        Path link = Files.createSymbolicLink(a.resolve("link"), outside);
        Grants sub = Grants.of(Capability.fileRead(a));
        Grants caller = Grants.of(Capability.fileRead(link));

        Grants both = sub.intersect(caller);

        // The caller's grant reaches outside/ through the link; the sub-agent's grant of a/ does not.
        assertThat(caller.allows(Capability.fileRead(outside.resolve("secret")))).isTrue();
        assertThat(both.allows(Capability.fileRead(outside.resolve("secret")))).isFalse();
        assertThat(both.allows(Capability.fileRead(link.resolve("secret")))).isFalse();
        // capabilities() compares names, so it shows a/link: a description; allows is the rule.
        assertThat(both.capabilities()).containsExactly(Capability.fileRead(link));
    }

    @Test
    void readAndWriteDoNotMix() {
        Grants both = Grants.of(Capability.fileRead(temp)).intersect(Grants.of(Capability.fileWrite(temp)));

        assertThat(both.allows(Capability.fileRead(temp.resolve("f")))).isFalse();
        assertThat(both.allows(Capability.fileWrite(temp.resolve("f")))).isFalse();
        assertThat(both.capabilities()).isEmpty();
        assertThat(both.isEmpty()).isFalse(); // judged at each check, not from the description
    }

    @Test
    void hostsNarrowToWhatBothPatternsCoverAndPortsToTheOneBothAllow() {
        Grants both = Grants.of(Capability.net("*.example.com"))
                .intersect(Grants.of(Capability.net("api.example.com", 443), Capability.net("example.com")));

        assertThat(both.allows(Capability.net("api.example.com", 443))).isTrue();
        assertThat(both.allows(Capability.net("api.example.com", 80))).isFalse();
        assertThat(both.allows(Capability.net("www.example.com", 443))).isFalse();
        assertThat(both.allows(Capability.net("example.com", 443))).isFalse(); // *. is not the apex
        assertThat(both.capabilities()).containsExactly(Capability.net("api.example.com", 443));
    }

    @Test
    void privateAddressesOnlyWhenBothSidesAllowThem() {
        Capability.Net lan = Capability.net("devbox.lan");
        Grants both = Grants.of(lan.allowingPrivateAddresses()).intersect(Grants.of(lan));

        assertThat(both.allows(lan)).isTrue();
        assertThat(both.allows(lan.allowingPrivateAddresses())).isFalse();
        assertThat(both.capabilities()).containsExactly(lan);
    }

    @Test
    void anAddressOnlyOneSideNamesIsNotReachedThroughTheOthersWildcard() throws Exception {
        Grants sub = Grants.of(Capability.net("127.0.0.1", 8080));
        Grants caller = Grants.of(Capability.net("*"));
        UrlGuard.Target target = UrlGuard.parse("http://127.0.0.1:8080/admin");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");

        assertThat(UrlGuard.permits(sub, target, loopback)).isTrue();
        assertThat(UrlGuard.permits(caller, target, loopback)).isFalse();
        assertThat(UrlGuard.permits(sub.intersect(caller), target, loopback)).isFalse();
        assertThat(UrlGuard.permits(sub.intersect(Grants.of(Capability.net("127.0.0.1"))), target, loopback))
                .isTrue();
    }

    @Test
    void environmentMemoryAndCustomCapabilitiesNarrowByName() {
        Grants sub = Grants.of(Capability.env("*"), Capability.memoryRead(), Capability.memoryWrite("notes"),
                Capability.custom("payments"), Capability.custom("billing", "view"));
        Grants caller = Grants.of(Capability.env("HOME"), Capability.memoryRead("notes"),
                Capability.memoryWrite("drafts"), Capability.custom("payments", "refund"),
                Capability.custom("billing", "edit"));

        Grants both = sub.intersect(caller);

        assertThat(both.allows(Capability.env("HOME"))).isTrue();
        assertThat(both.allows(Capability.env("PATH"))).isFalse();
        assertThat(both.allows(Capability.memoryRead("notes"))).isTrue();
        assertThat(both.allows(Capability.memoryRead("other"))).isFalse();
        assertThat(both.allows(Capability.memoryWrite("notes"))).isFalse();
        assertThat(both.allows(Capability.memoryWrite("drafts"))).isFalse();
        assertThat(both.allows(Capability.custom("payments", "refund"))).isTrue();
        assertThat(both.allows(Capability.custom("payments", "charge"))).isFalse();
        assertThat(both.allows(Capability.custom("billing", "view"))).isFalse();
        assertThat(both.allows(Capability.custom("billing", "edit"))).isFalse();
        assertThat(both.capabilities()).containsExactlyInAnyOrder(Capability.env("HOME"),
                Capability.memoryRead("notes"), Capability.custom("payments", "refund"));
    }

    @Test
    void everyRequestIsAllowedExactlyWhenBothSidesAllowIt() throws IOException {
        Path a = Files.createDirectories(temp.resolve("a"));
        Path ab = Files.createDirectories(a.resolve("b"));
        List<Grants> sides = List.of(Grants.none(),
                Grants.of(Capability.fileRead(a), Capability.net("*"), Capability.env("*")),
                Grants.of(Capability.fileRead(ab), Capability.fileWrite(a), Capability.net("*.example.com", 443)),
                Grants.of(Capability.net("api.example.com"), Capability.env("HOME"), Capability.memoryRead()),
                Grants.of(Capability.memoryRead("n"), Capability.custom("x"), Capability.fileWrite(ab)),
                Grants.of(Capability.custom("x", "s"), Capability.memoryWrite(), Capability.fileRead(temp)));
        List<Capability> requests = new ArrayList<>(List.of(Capability.fileRead(a), Capability.fileRead(ab),
                Capability.fileRead(ab.resolve("f")), Capability.fileRead(temp), Capability.fileWrite(a),
                Capability.fileWrite(ab.resolve("g")), Capability.net("api.example.com", 443),
                Capability.net("api.example.com", 80), Capability.net("other.org"), Capability.env("HOME"),
                Capability.env("PATH"), Capability.memoryRead("n"), Capability.memoryRead("m"),
                Capability.memoryWrite("n"), Capability.custom("x", "s"), Capability.custom("x", "t"),
                Capability.custom("y", "s")));
        for (Grants left : sides) {
            for (Grants right : sides) {
                Grants both = left.intersect(right);
                for (Capability r : requests) {
                    assertThat(both.allows(r)).as("%s ∩ %s allows %s", left, right, r)
                            .isEqualTo(left.allows(r) && right.allows(r));
                    // Intersecting again with either side changes nothing; with none, everything is refused.
                    assertThat(both.intersect(left).allows(r)).isEqualTo(both.allows(r));
                    assertThat(both.intersect(Grants.none()).allows(r)).isFalse();
                }
            }
        }
    }

    @Test
    void whatIsAddedToAnIntersectionIsAllowedAsWithAnyGrants() {
        Grants both = Grants.of(Capability.env("A")).intersect(Grants.of(Capability.env("B")));
        assertThat(both.allows(Capability.env("A"))).isFalse();

        Grants approved = both.with(List.of(Capability.env("A")));

        assertThat(approved.allows(Capability.env("A"))).isTrue();
        assertThat(approved.allows(Capability.env("B"))).isFalse();
        assertThat(approved.capabilities()).containsExactly(Capability.env("A"));
        assertThat(approved).isNotEqualTo(both).isEqualTo(both.with(List.of(Capability.env("A"))));
    }

    @Test
    void anIntersectionWithNothingIsNothing() {
        Grants some = Grants.of(Capability.env("*"));
        assertThat(some.intersect(Grants.none())).isSameAs(Grants.none());
        assertThat(Grants.none().intersect(some)).isSameAs(Grants.none());
        assertThat(some.intersect(some)).isSameAs(some);
        assertThat(some.intersect(Grants.of(Capability.env("X"))).isEmpty()).isFalse();
    }
}
