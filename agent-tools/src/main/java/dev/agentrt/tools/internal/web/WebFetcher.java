package dev.agentrt.tools.internal.web;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.ToolException;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.UrlGuard;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.tools.web.WebLimits;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The request path both web tools share: for each hop, the {@code Net} grant (through
 * {@link ToolContext#require}, so denials, approvals and events are the registry's), the
 * {@link UrlGuard} check with DNS on the blocking scheduler, the exchange pinned to a checked
 * address, then the redirect, if any, handled here and never by a client library.
 *
 * <p>Thread-safe; one instance per tool. Non-blocking to call: the blocking parts run on
 * {@link AgentSchedulers#blocking()}, and cancelling closes the connection.
 */
public final class WebFetcher {
    /** Request headers dropped when a redirect leaves the origin. */
    private static final Set<String> CREDENTIALS = Set.of("authorization", "cookie", "proxy-authorization");

    /**
     * The reads of an exchange stop at the deadline themselves; this outer timeout, a little later,
     * only bounds what they do not cover (an approval that never comes) and cancels the rest.
     */
    private static final Duration SAFETY_MARGIN = Duration.ofMillis(250);

    private final WebLimits limits;
    private final Grants explicit;

    /** @param explicit the grants that may name non-public destinations (see {@link UrlGuard}) */
    public WebFetcher(WebLimits limits, Grants explicit) {
        this.limits = limits;
        this.explicit = explicit;
    }

    public WebLimits limits() {
        return limits;
    }

    /** A request before its destination is checked. */
    public record Call(String method, UrlGuard.Target target, List<Map.Entry<String, String>> headers,
            byte @Nullable [] body) {}

    /** The last response and the URL it came from. */
    public record Fetched(UrlGuard.Target url, PinnedHttp.Response response, int redirects) {}

    /**
     * Runs {@code call}, following redirects when {@code followRedirects}. {@code granted}: the
     * first URL's {@code Net} capability was already checked by the registry. {@code readBody}
     * decides, from status and headers, whether the final body is read.
     */
    public Mono<Fetched> fetch(Call call, boolean granted, ToolContext context, boolean followRedirects,
            Predicate<PinnedHttp.Response> readBody) {
        return Mono.defer(() -> {
            long deadline = System.nanoTime() + limits.timeout().toNanos();
            return hop(call, granted, context, followRedirects, readBody, 0, deadline);
        })
                .timeout(limits.timeout().plus(SAFETY_MARGIN), Mono.error(() -> new PinnedHttp.DeadlineException(
                        "The request to " + call.target().uri() + " took longer than " + limits.timeout().toMillis()
                                + " ms and was stopped.")));
    }

    private Mono<Fetched> hop(Call call, boolean granted, ToolContext context, boolean followRedirects,
            Predicate<PinnedHttp.Response> readBody, int redirects, long deadline) {
        Mono<Void> auth = granted ? Mono.empty() : context.require(call.target().capability());
        Predicate<PinnedHttp.Response> read = r -> !(followRedirects && isRedirect(r)) && readBody.test(r);
        return auth.then(exchange(call, context, deadline, read)).flatMap(r -> {
            if (!followRedirects || !isRedirect(r)) {
                return Mono.just(new Fetched(call.target(), r, redirects));
            }
            if (redirects >= limits.maxRedirects()) {
                return Mono.error(new ToolException("Stopped after " + limits.maxRedirects() + " redirects at "
                        + call.target().uri() + "."));
            }
            String location = r.header("location");
            UrlGuard.Target next = UrlGuard.resolve(call.target(), location == null ? "" : location);
            return hop(redirected(call, r.status(), next), false, context, true, readBody, redirects + 1,
                    deadline);
        });
    }

    private Mono<PinnedHttp.Response> exchange(Call call, ToolContext context, long deadline,
            Predicate<PinnedHttp.Response> read) {
        return Mono.defer(() -> {
            var http = new PinnedHttp();
            return Mono.fromCallable(() -> {
                // A non-public address passes when the task's grants, or the tool's own list, name it exactly.
                UrlGuard.Checked checked = UrlGuard.check(call.target(),
                        explicit.with(context.grants().capabilities()));
                try {
                    return http.exchange(new PinnedHttp.Request(call.method(), checked, call.headers(),
                            call.body()), deadline, limits.maxResponseBytes(), read);
                } catch (RuntimeException e) {
                    if (http.aborted()) {
                        return null; // cancelled: nobody listens, and the failure is the abort's own doing
                    }
                    throw e;
                }
            }).doOnCancel(() -> {
                http.markAborted();
                AgentSchedulers.blocking().schedule(http::abort);
            });
        }).subscribeOn(AgentSchedulers.blocking());
    }

    private static boolean isRedirect(PinnedHttp.Response r) {
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
        return new Call(method, next, List.copyOf(headers), keepMethod ? call.body() : null);
    }

    /** The error result for a failure of {@link #fetch}. */
    public static ToolResult failure(Throwable e) {
        Throwable t = reactor.core.Exceptions.unwrap(e);
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
        if (t instanceof PinnedHttp.DeadlineException || t instanceof TimeoutException) {
            return ToolResult.error(ToolErrorKind.TIMEOUT, t.getMessage() == null
                    ? "The request timed out."
                    : t.getMessage());
        }
        String m = t.getMessage();
        return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, t instanceof ToolException && m != null
                ? m
                : "The request failed: " + t.getClass().getSimpleName() + (m == null ? "" : ": " + m));
    }
}
