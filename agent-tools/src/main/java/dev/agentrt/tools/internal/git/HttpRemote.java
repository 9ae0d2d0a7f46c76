package dev.agentrt.tools.internal.git;

import dev.agentrt.core.egress.EgressLimits;
import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.security.UrlGuard;
import org.jspecify.annotations.Nullable;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The smart-HTTP(S) repository {@code git_push} pushes to, and how it is reached.
 *
 * @param target the remote's URL, parsed and normalised by {@link UrlGuard} (http or https, no user info)
 * @param username the HTTP Basic user name sent with {@code password}, or {@code null} for no credentials
 * @param password asked once per push for the secret (a token) sent to {@code target}'s origin only
 * @param limits each HTTP request's bounds: response bytes and time (redirects are JGit's, same origin only)
 * @param maxRequestBytes the largest request body (the pack) one push sends
 * @param network the egress layer's resolver, connector, TLS and clock
 */
public record HttpRemote(UrlGuard.Target target, @Nullable String username, @Nullable Supplier<String> password,
        EgressLimits limits, long maxRequestBytes, Network network) {
    public HttpRemote {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(network, "network");
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("username and password come together");
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("maxRequestBytes must be positive, was " + maxRequestBytes);
        }
    }

    @Override
    public String toString() {
        return "HttpRemote[" + target + (username == null ? "" : ", user " + username) + "]";
    }
}
