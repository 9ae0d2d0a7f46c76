package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The tools a server serves now, which the application may change while serving. One registry is current at a
 * time; a change replaces it under a lock and, under the same lock, brings every {@link Follower} (the SDK's server
 * of each transport, which lists and dispatches the tools, and the server's {@code subscriptions/listen}s) up to
 * date, so followers see the changes in the order they were made and a list never shows a tool the registry lacks:
 * an added tool is in the registry before a follower lists it, a removed one leaves the followers before the
 * registry. Thread-safe.
 */
public final class ServedTools {
    private static final Logger log = LoggerFactory.getLogger(ServedTools.class);

    private final Supplier<ToolExecution> policy;
    private final Runnable changed;
    private volatile ToolRegistry registry;
    private final Set<Follower> followers = new LinkedHashSet<>();

    /**
     * @param policy the server's policy, whose {@link ToolExecution#access()} decides which tools are listed
     * @param changed told after each change (the listens of {@link ServerFeatures}); must not block
     */
    public ServedTools(ToolRegistry registry, Supplier<ToolExecution> policy, Runnable changed) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.policy = policy;
        this.changed = changed;
    }

    /** The registry current now: the one a call starting now runs through. */
    public ToolRegistry registry() {
        return registry;
    }

    /**
     * Adds {@code tool}; completes once every follower has been told. Fails with {@code IllegalArgumentException} when
     * a tool of that name is served already or the tool's schema is invalid (nothing changed then).
     */
    public Mono<Void> add(Tool tool) {
        Objects.requireNonNull(tool, "tool");
        return Mono.defer(() -> {
            List<CompletableFuture<Void>> told;
            synchronized (this) {
                ToolRegistry now = registry;
                String name = tool.spec().name();
                if (now.find(name).isPresent()) {
                    return Mono.error(new IllegalArgumentException("a tool named '" + name + "' is served already"));
                }
                ToolRegistry next;
                try {
                    next = now.plus(tool);
                } catch (IllegalArgumentException e) {
                    return Mono.error(e);
                }
                registry = next;
                told = follow(next);
            }
            return done(told);
        });
    }

    /**
     * Removes the tool {@code name}; emits whether there was one (false: nothing changed, nobody is told). Calls of it
     * already running finish; later calls get the error of an unknown tool.
     */
    public Mono<Boolean> remove(String name) {
        Objects.requireNonNull(name, "name");
        return Mono.defer(() -> {
            List<CompletableFuture<Void>> told;
            synchronized (this) {
                ToolRegistry now = registry;
                if (now.find(name).isEmpty()) {
                    return Mono.just(false);
                }
                var rest = new ArrayList<Tool>(now.tools().size());
                for (Tool t : now.tools()) {
                    if (!t.spec().name().equals(name)) {
                        rest.add(t);
                    }
                }
                ToolRegistry next = ToolRegistry.of(rest);
                told = follow(next);
                registry = next;
            }
            return done(told).thenReturn(true);
        });
    }

    /**
     * {@code follower} follows the changes from now on, until the returned handle is disposed; it is first brought up
     * to date with the tools current now (it may have been built with older ones).
     */
    Disposable follow(Follower follower) {
        synchronized (this) {
            followers.add(follower);
            follower.sync(visibleIn(registry));
        }
        return () -> {
            synchronized (this) {
                followers.remove(follower);
            }
        };
    }

    /** Called holding the lock: every follower brought to {@code next}. */
    private List<CompletableFuture<Void>> follow(ToolRegistry next) {
        List<ToolSpec> visible = visibleIn(next);
        var told = new ArrayList<CompletableFuture<Void>>(followers.size() + 1);
        for (Follower f : followers) {
            told.add(f.sync(visible));
        }
        try {
            changed.run();
        } catch (RuntimeException e) {
            log.warn("MCP server: telling the listens of a tool list change failed", e);
        }
        return told;
    }

    private List<ToolSpec> visibleIn(ToolRegistry r) {
        return r.specs(policy.get());
    }

    private static Mono<Void> done(List<CompletableFuture<Void>> told) {
        return told.isEmpty()
                ? Mono.empty()
                : Mono.fromFuture(CompletableFuture.allOf(told.toArray(CompletableFuture[]::new)));
    }

    /**
     * Something that lists the tools: told the visible specs after each change, holding the tools' lock, so it must
     * apply the change before returning and must not block; the future completes when its clients have been told
     * (never exceptionally).
     */
    interface Follower {
        CompletableFuture<Void> sync(List<ToolSpec> visible);
    }

    /**
     * A follower that keeps a tool list of the SDK's (one server's) equal to the visible specs, through its {@code
     * add} and {@code remove} (which change the list when subscribed, and then tell that server's clients).
     */
    static Follower mirror(List<ToolSpec> shown, Function<ToolSpec, Mono<Void>> add,
            Function<String, Mono<Void>> remove) {
        var current = new LinkedHashMap<String, ToolSpec>();
        for (ToolSpec s : shown) {
            current.put(s.name(), s);
        }
        return visible -> {
            var wanted = new LinkedHashMap<String, ToolSpec>();
            for (ToolSpec s : visible) {
                wanted.put(s.name(), s);
            }
            var told = new ArrayList<CompletableFuture<Void>>();
            for (String name : List.copyOf(current.keySet())) {
                if (!wanted.containsKey(name)) {
                    current.remove(name);
                    told.add(quietly(remove.apply(name), name));
                }
            }
            for (Map.Entry<String, ToolSpec> e : wanted.entrySet()) {
                if (!e.getValue().equals(current.get(e.getKey()))) {
                    current.put(e.getKey(), e.getValue());
                    told.add(quietly(add.apply(e.getValue()), e.getKey()));
                }
            }
            return CompletableFuture.allOf(told.toArray(CompletableFuture[]::new));
        };
    }

    /** Subscribed now (the SDK changes its list on subscription); a client that is gone is no failure. */
    private static CompletableFuture<Void> quietly(Mono<Void> change, String tool) {
        return change.onErrorResume(e -> {
            log.debug("MCP server: the clients were not all told of the change of tool {}", tool, e);
            return Mono.empty();
        }).toFuture();
    }
}
