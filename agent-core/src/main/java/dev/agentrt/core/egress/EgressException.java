package dev.agentrt.core.egress;

import dev.agentrt.core.ToolException;

import java.util.Objects;

/**
 * A request through the {@link Egress} failed after its destination was allowed: it took too long,
 * no checked address answered, TLS failed, the server broke the protocol or the connection, or
 * redirects did not end. The message is written for the model. A refused destination is a
 * {@code UrlGuard.RefusedException} instead, a missing grant a {@code CapabilityDeniedException}.
 */
public final class EgressException extends ToolException {
    /** What went wrong. Stable names: applications and tests may match on them. */
    public enum Kind {
        /** The request did not finish within its time limit (connection, TLS, every read). */
        TIMEOUT(true),
        /** None of the checked addresses accepted a connection. */
        CONNECT(true),
        /** The TLS handshake failed: untrusted certificate, a certificate for another host, no common cipher. */
        TLS(false),
        /** The server's answer is not valid HTTP/1.1 (status line, headers, framing, chunks). */
        BAD_RESPONSE(false),
        /** The connection closed or reset before the response was complete. */
        BROKEN(true),
        /** Redirects went on past the limit. */
        TOO_MANY_REDIRECTS(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Kind kind;

    public EgressException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public EgressException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public boolean isRetryable() {
        return kind.retryable();
    }
}
