package dev.agentrt.tools.internal.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The {@code WWW-Authenticate} parsing of {@link OAuthFlow}: the Bearer challenge's parameters, whatever surrounds them. */
class OAuthChallengeTest {

    @Test
    void readsQuotedAndBareParametersOfTheBearerChallenge() {
        assertThat(OAuthFlow.challengeParams("Bearer realm=\"mcp\", resource_metadata=\"https://a.example/.well-known/"
                + "oauth-protected-resource/mcp\", scope=\"files:read, files:write\", error=insufficient_scope"))
                .containsEntry("realm", "mcp")
                .containsEntry("resource_metadata", "https://a.example/.well-known/oauth-protected-resource/mcp")
                .containsEntry("scope", "files:read, files:write")
                .containsEntry("error", "insufficient_scope");
    }

    @Test
    void findsTheBearerChallengeAmongOthersAndStopsAtTheNext() {
        assertThat(OAuthFlow.challengeParams(
                "Basic realm=\"bearer of news\", BEARER scope=\"a\\\"b\", Digest resource_metadata=\"https://x\""))
                .containsOnlyKeys("scope")
                .containsEntry("scope", "a\"b");
    }

    @Test
    void givesNothingWithoutABearerChallenge() {
        assertThat(OAuthFlow.challengeParams(null)).isEmpty();
        assertThat(OAuthFlow.challengeParams("Basic realm=\"bearer\"")).isEmpty();
        assertThat(OAuthFlow.challengeParams("Bearer")).isEmpty();
        assertThat(OAuthFlow.asksForScope("Bearer error=\"invalid_token\"")).isFalse();
        assertThat(OAuthFlow.asksForScope("Bearer error=\"insufficient_scope\", scope=\"admin\"")).isTrue();
    }
}
