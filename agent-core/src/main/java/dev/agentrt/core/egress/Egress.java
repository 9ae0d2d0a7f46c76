package dev.agentrt.core.egress;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.ToolException;
import dev.agentrt.core.internal.net.EgressEngine;
import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.internal.net.Response;
import dev.agentrt.core.security.UrlGuard;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * The one way out to the network, for a tool of your own as for agentrt's {@code WebBrowser},
 * {@code HttpTool} and WASM plugins. For the request's URL and for every redirect it follows:
 * <ol>
 *   <li>the hop's {@code Capability.net(host, port)} through {@link ToolContext#require} (the task's
 *       grants, the approval handler, the permission events);
 *   <li>the host resolved <em>once</em>, and every address checked against the task's grants by
 *       {@link UrlGuard}: a name grant reaches public addresses only; loopback, private, link-local,
 *       CGNAT and unique-local addresses need a grant that
 *       {@linkplain dev.agentrt.core.security.Capability.Net#allowingPrivateAddresses() allows private
 *       addresses}; metadata addresses need a URL and a grant naming the exact address;
 *   <li>the connection made to a checked address and no other, so a DNS answer that changes after the
 *       check (rebinding) cannot redirect it; https verifies the certificate against the URL's host
 *       (and sends it as SNI) while connecting to the pinned address;
 *   <li>the response read as strict HTTP/1.1 up to {@link EgressLimits#maxResponseBytes()}, the whole
 *       request, redirects included, ending at {@link EgressLimits#timeout()}.
 * </ol>
 *
 * <pre>{@code
 * Egress egress = Egress.create();
 * Tool status = Tool.builder("service_status")
 *         .description("Fetches a status page")
 *         .handler((args, ctx) -> egress.send(EgressRequest.get(args.getString("url").orElseThrow()), ctx)
 *                 .map(r -> ToolResult.text(r.status() + " " + r.bodyText()))
 *                 .onErrorResume(e -> Mono.just(Egress.errorResult(e))))
 *         .build();
 * }</pre>
 *
 * <p>{@link #send} checks the first URL's capability itself, so a tool using it need not declare
 * that capability up front (if it does, the registry checks it too, and an approval given for
 * that one call only is asked for again). No proxies, cookies, caches or compression; one
 * connection per request.
 *
 * <p>Thread-safe; share one instance. {@link #send} does not block: DNS and socket I/O run on
 * {@code AgentSchedulers.blocking()}, and cancelling the returned {@code Mono} closes the connection.
 */
public final class Egress {
    private final EgressEngine engine;

    private Egress(Builder b) {
        this.engine = new EgressEngine(b.limits, b.network);
    }

    /** An egress with {@link EgressLimits#DEFAULT}. */
    public static Egress create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public EgressLimits limits() {
        return engine.limits();
    }

    /**
     * Sends {@code request} on behalf of the tool call {@code context}. Fails with
     * {@link UrlGuard.RefusedException} (a malformed URL, a host that does not resolve, an address the
     * grants do not reach), {@link CapabilityDeniedException} (a hop's host not granted) or
     * {@link EgressException}; {@link #errorResult} turns any of them into the result to give the model.
     */
    public Mono<EgressResponse> send(EgressRequest request, ToolContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        return Mono.defer(() -> {
            UrlGuard.Target target = UrlGuard.parse(request.url());
            var call = new EgressEngine.Call(request.method(), target, request.headers(), request.bodyUnsafe());
            return engine.fetch(call, EgressEngine.Gate.of(context), false, request.followRedirects(), r -> true)
                    .map(f -> {
                        Response r = f.response();
                        return new EgressResponse(f.url().uri().toString(), r.status(), r.headers(), r.body(),
                                r.truncated(), f.redirects());
                    });
        });
    }

    /**
     * The error result for a failure of {@link #send}: a refused address or a missing grant is
     * {@code PERMISSION_DENIED}, a malformed URL {@code INVALID_ARGUMENTS}, a timeout {@code TIMEOUT},
     * anything else {@code EXECUTION_FAILED}; the message says what happened, for the model.
     */
    public static ToolResult errorResult(Throwable error) {
        Throwable t = Exceptions.unwrap(error);
        if (t instanceof UrlGuard.RefusedException r) {
            return ToolResult.error(switch (r.reason()) {
                case NOT_PUBLIC -> ToolErrorKind.PERMISSION_DENIED;
                case INVALID_URL -> ToolErrorKind.INVALID_ARGUMENTS;
                case UNRESOLVED -> ToolErrorKind.EXECUTION_FAILED;
            }, r.getMessage());
        }
        if (t instanceof CapabilityDeniedException d) {
            return ToolResult.error(ToolErrorKind.PERMISSION_DENIED, d.getMessage());
        }
        if ((t instanceof EgressException e && e.kind() == EgressException.Kind.TIMEOUT)
                || t instanceof TimeoutException) {
            return ToolResult.error(ToolErrorKind.TIMEOUT, t.getMessage() == null
                    ? "The request timed out."
                    : t.getMessage());
        }
        String m = t.getMessage();
        return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, t instanceof ToolException && m != null
                ? m
                : "The request failed: " + t.getClass().getSimpleName() + (m == null ? "" : ": " + m));
    }

    @Override
    public String toString() {
        return "Egress[" + engine.limits() + "]";
    }

    /** Configures an {@link Egress}. Not thread-safe; the built egress is. */
    public static final class Builder {
        private EgressLimits limits = EgressLimits.DEFAULT;
        private Network network = Network.SYSTEM;

        private Builder() {}

        public Builder limits(EgressLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The resolver, connector, TLS and clock; for tests of this package. */
        Builder network(Network network) {
            this.network = Objects.requireNonNull(network, "network");
            return this;
        }

        public Egress build() {
            return new Egress(this);
        }
    }
}
