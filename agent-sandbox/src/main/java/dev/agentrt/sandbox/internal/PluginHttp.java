package dev.agentrt.sandbox.internal;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.egress.Egress;
import dev.agentrt.core.egress.EgressLimits;
import dev.agentrt.core.internal.net.EgressEngine;
import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.internal.net.Response;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.UrlGuard;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The {@code agentrt.http_get} host function behind a plugin, on agent-core's egress layer. Every
 * hop (the URL and each redirect) is fetched only when the plugin's manifest lists its host and the
 * task's grants allow it; the host is resolved once and every address must be reachable under
 * <em>both</em> the task's grants and the manifest's entries ({@code UrlGuard}), so a plugin gets at
 * most the intersection; the connection goes to the checked address. The body is cut at a cap.
 * Failures are answers ({@code {"error": ...}}), never exceptions into the guest.
 *
 * <p>Blocks the run's thread (a compute thread that may block) while the request runs on
 * {@code AgentSchedulers.blocking()}; interrupting the run (its time limit, a cancelled task) cancels
 * the request and closes its connection.
 */
public final class PluginHttp {
    private static final int MAX_REDIRECTS = 5;

    private final EgressEngine egress;
    private final List<Capability> manifestHosts;
    private final Grants grants;
    private final EgressEngine.Gate gate;

    public PluginHttp(Network network, List<Capability> manifestHosts, Grants grants, int maxResponseBytes,
            Duration timeout) {
        this.egress = new EgressEngine(new EgressLimits(maxResponseBytes, timeout, MAX_REDIRECTS), network);
        this.manifestHosts = List.copyOf(manifestHosts);
        this.grants = grants;
        Grants manifest = Grants.of(this.manifestHosts);
        this.gate = new EgressEngine.Gate() {
            @Override
            public Mono<Void> authorize(Capability.Net capability) {
                String refusal = refusal(capability);
                return refusal == null
                        ? Mono.empty()
                        : Mono.error(new CapabilityDeniedException(refusal, List.of(capability)));
            }

            @Override
            public List<Grants> addressGrants() {
                return List.of(grants, manifest);
            }
        };
    }

    JsonObject get(String url) {
        UrlGuard.Target target;
        try {
            target = UrlGuard.parse(url);
        } catch (UrlGuard.RefusedException e) {
            return error(e.getMessage());
        }
        var call = new EgressEngine.Call("GET", target, List.of(Map.entry("User-Agent", "agentrt-plugin/0.1")), null);
        CompletableFuture<EgressEngine.Fetched> pending = egress.fetch(call, gate, false, true, r -> true).toFuture();
        try {
            EgressEngine.Fetched fetched = pending.get();
            Response r = fetched.response();
            return JsonObject.builder()
                    .put("status", r.status())
                    .put("body", new String(r.body(), StandardCharsets.UTF_8))
                    .put("truncated", r.truncated())
                    .build();
        } catch (InterruptedException e) {
            pending.cancel(true); // cancels the request, which closes its connection
            // The run was stopped; keep the flag so that the engine sees it at the next check.
            Thread.currentThread().interrupt();
            return error("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return error(Egress.errorResult(cause).content());
        }
    }

    private @Nullable String refusal(Capability.Net needed) {
        if (manifestHosts.stream().noneMatch(c -> c.covers(needed))) {
            return "the plugin's manifest does not list the host " + needed.hostPattern();
        }
        if (!grants.allows(needed)) {
            return "the task has no grant for the host " + needed.hostPattern();
        }
        return null;
    }

    private static JsonObject error(String message) {
        return JsonObject.builder().put("error", message).build();
    }
}
