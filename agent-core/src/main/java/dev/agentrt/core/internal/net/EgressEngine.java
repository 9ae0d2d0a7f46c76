package dev.agentrt.core.internal.net;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.egress.EgressException;
import dev.agentrt.core.egress.EgressLimits;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.UrlGuard;
import dev.agentrt.core.tool.ToolContext;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The one path out of the process for tools and plugins. For every hop — the first URL and each
 * redirect — in this order: the hop's {@code Net} capability through the {@link Gate} (for a tool,
 * {@link ToolContext#require}: grants, approvals, events); the checks that need no resolver
 * ({@link UrlGuard#precheck}); one lookup through the {@link Network}'s resolver; every address
 * checked ({@link UrlGuard#checkAddresses}) against every set of grants the gate names; then the
 * exchange, pinned to a checked address ({@link PinnedExchange}). Redirects are handled here, never
 * by a client library: {@code 303} (and {@code 301}/{@code 302} after a POST) become GET, request
 * credentials stay within the origin. One deadline covers the whole request.
 *
 * <p>Thread-safe and stateless between calls. {@link #fetch} does not block: DNS and socket I/O run
 * on {@link AgentSchedulers#blocking()}, and cancelling closes the connection.
 */
public final class EgressEngine {
    /** Request headers dropped when a redirect leaves the origin. */
    private static final Set<String> CREDENTIALS = Set.of("authorization", "cookie", "proxy-authorization");

    /**
     * The reads of an exchange stop at the deadline themselves; this outer timeout, a little later,
     * only bounds what they do not cover (an approval that never comes) and cancels the rest.
     */
    private static final Duration SAFETY_MARGIN = Duration.ofMillis(250);

    private final EgressLimits limits;
    private final Network network;

    public EgressEngine(EgressLimits limits, Network network) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.network = Objects.requireNonNull(network, "network");
    }

    public EgressLimits limits() {
        return limits;
    }

    /** Who decides whether a hop may go out. */
    public interface Gate {
        /** Completes empty when the hop's capability is granted; fails (for example with {@code CapabilityDeniedException}) when not. */
        Mono<Void> authorize(Capability.Net capability);

        /** Every set of grants each address must be {@linkplain UrlGuard#permits permitted} by; read per hop. */
        List<Grants> addressGrants();

        /** The gate of a tool call: {@link ToolContext#require} for the capability, the task's grants for addresses. */
        static Gate of(ToolContext context) {
            return new Gate() {
                @Override
                public Mono<Void> authorize(Capability.Net capability) {
                    return context.require(capability);
                }

                @Override
                public List<Grants> addressGrants() {
                    return List.of(context.grants());
                }
            };
        }
    }

    /** A request before its destination is checked. Header names and values already validated. */
    public record Call(String method, UrlGuard.Target target, List<Map.Entry<String, String>> headers,
            byte @Nullable [] body) {
        public Call {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(target, "target");
            headers = List.copyOf(headers);
        }
    }

    /** The last response and the URL it came from. */
    public record Fetched(UrlGuard.Target url, Response response, int redirects) {}

    /**
     * Runs {@code call}. {@code firstHopAuthorized}: the first URL's capability was already checked
     * (the registry did, from the tool's declared capabilities), so the gate is asked only for
     * redirects. {@code readBody} decides, from status and headers, whether the final body is read.
     * Errors: {@code UrlGuard.RefusedException}, whatever the gate fails with, {@link EgressException}.
     */
    public Mono<Fetched> fetch(Call call, Gate gate, boolean firstHopAuthorized, boolean followRedirects,
            Predicate<Response> readBody) {
        return Mono.defer(() -> {
            var deadline = new Deadline(network.nanoTime(), limits.timeout().toNanos(), call.target().uri().toString());
            return hop(call, gate, firstHopAuthorized, followRedirects, readBody, 0, deadline);
        })
                .timeout(limits.timeout().plus(SAFETY_MARGIN), Mono.error(() -> new EgressException(
                        EgressException.Kind.TIMEOUT, "The request to " + call.target().uri() + " took longer than "
                                + limits.timeout().toMillis() + " ms and was stopped.")));
    }

    private Mono<Fetched> hop(Call call, Gate gate, boolean authorized, boolean followRedirects,
            Predicate<Response> readBody, int redirects, Deadline deadline) {
        Mono<Void> auth = authorized ? Mono.empty() : gate.authorize(call.target().capability());
        Predicate<Response> read = r -> !(followRedirects && isRedirect(r)) && readBody.test(r);
        return auth.then(exchange(call, gate, deadline, read)).flatMap(r -> {
            if (!followRedirects || !isRedirect(r)) {
                return Mono.just(new Fetched(call.target(), r, redirects));
            }
            if (redirects >= limits.maxRedirects()) {
                return Mono.error(new EgressException(EgressException.Kind.TOO_MANY_REDIRECTS, "Stopped after "
                        + limits.maxRedirects() + " redirects at " + call.target().uri() + "."));
            }
            List<String> locations = r.headers().get("location");
            if (locations.stream().distinct().count() > 1) {
                return Mono.error(new EgressException(EgressException.Kind.BAD_RESPONSE, "The redirect from "
                        + call.target().uri() + " names more than one Location."));
            }
            UrlGuard.Target next = UrlGuard.resolve(call.target(), locations.get(0));
            return hop(redirected(call, r.status(), next), gate, false, true, readBody, redirects + 1, deadline);
        });
    }

    private Mono<Response> exchange(Call call, Gate gate, Deadline deadline, Predicate<Response> read) {
        return Mono.defer(() -> {
            var exchange = new PinnedExchange(network);
            return Mono.fromCallable(() -> {
                UrlGuard.Checked checked = check(call.target(), gate.addressGrants());
                try {
                    return exchange.exchange(new PinnedExchange.Request(call.method(), checked, call.headers(),
                            call.body()), deadline, limits.maxResponseBytes(), read);
                } catch (RuntimeException e) {
                    if (exchange.aborted()) {
                        return null; // cancelled: nobody listens, and the failure is the abort's own doing
                    }
                    throw e;
                }
            }).doOnCancel(() -> {
                exchange.markAborted();
                AgentSchedulers.blocking().schedule(exchange::abort);
            });
        }).subscribeOn(AgentSchedulers.blocking());
    }

    /** Resolves once and checks every address against every set of grants. Blocks on the resolver. */
    private UrlGuard.Checked check(UrlGuard.Target target, List<Grants> grants) {
        for (Grants g : grants) {
            UrlGuard.precheck(target, g);
        }
        InetAddress literal = target.literal();
        List<InetAddress> addresses;
        if (literal != null) {
            addresses = List.of(literal);
        } else {
            try {
                addresses = network.resolver().resolve(target.host());
            } catch (UnknownHostException | SecurityException e) {
                throw UrlGuard.unresolved(target);
            }
            if (addresses.isEmpty()) {
                throw UrlGuard.unresolved(target);
            }
        }
        UrlGuard.Checked checked = null;
        for (Grants g : grants) {
            checked = UrlGuard.checkAddresses(target, addresses, g);
        }
        if (checked == null) {
            throw new IllegalStateException("a gate must name at least one set of grants");
        }
        return checked;
    }

    private static boolean isRedirect(Response r) {
        int s = r.status();
        return (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) && r.header("location") != null;
    }

    /** The request a redirect asks for: GET after 303 (and after 301/302 of a POST), credentials only in-origin. */
    private static Call redirected(Call call, int status, UrlGuard.Target next) {
        boolean keepMethod = status == 307 || status == 308
                || ((status == 301 || status == 302) && !call.method().equals("POST"));
        String method = keepMethod || call.method().equals("HEAD") ? call.method() : "GET";
        boolean sameOrigin = call.target().sameOrigin(next);
        var headers = new ArrayList<Map.Entry<String, String>>(call.headers().size());
        for (Map.Entry<String, String> h : call.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!sameOrigin && CREDENTIALS.contains(name)) {
                continue;
            }
            if (!keepMethod && name.equals("content-type")) {
                continue;
            }
            headers.add(h);
        }
        return new Call(method, next, headers, keepMethod ? call.body() : null);
    }
}
