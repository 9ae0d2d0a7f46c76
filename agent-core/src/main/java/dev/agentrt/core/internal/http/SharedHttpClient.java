package dev.agentrt.core.internal.http;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK {@link HttpClient} that every hosted model built without a client of its own shares, and
 * the one bounded executor all such clients run on.
 *
 * <p>Left without an executor, each JDK client hands its work to a cached pool that grows a platform
 * thread whenever all of its threads are busy: thousands of streams in flight grew hundreds of
 * {@code HttpClient-N-Worker-M} threads. Here every shared client runs on {@link #THREADS} daemon
 * platform threads named {@code agentrt-http-N} (one per core, at least two, so that one slow name
 * lookup, which the JDK client does on its executor, cannot hold every stream up). They start with
 * the first client and live as long as the JVM; their queue is unbounded and lock-free, so handing
 * them work never blocks the caller. What runs on them is the JDK client's own work (connecting, TLS,
 * reading and writing) and the first steps of decoding a body; nothing there blocks, and
 * {@code ProviderHttp} hands every value on to another scheduler before a subscriber sees it, so
 * user code never runs on (and can never starve) these threads.
 *
 * <p>A JDK client fixes its connect timeout for good, so there is one shared client per distinct
 * connect timeout; past a handful of distinct values a model gets a client of its own (still on the
 * shared executor), released with the model. Thread-safe.
 */
public final class SharedHttpClient {
    /** The size of the shared executor. */
    static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private static final int MAX_SHARED_CLIENTS = 8;
    private static final ConcurrentHashMap<Duration, HttpClient> CLIENTS = new ConcurrentHashMap<>();

    private SharedHttpClient() {}

    /**
     * The bounded executor of the shared clients, for another JDK client of the runtime's own (the MCP
     * client's): whoever uses it hands every value on to another scheduler and never blocks on it.
     */
    public static java.util.concurrent.Executor executor() {
        return Executor.INSTANCE;
    }

    /** The shared client for {@code connectTimeout}: HTTP/2 where the server offers it, no redirects. */
    public static HttpClient forConnectTimeout(Duration connectTimeout) {
        HttpClient shared = CLIENTS.get(connectTimeout);
        if (shared != null) {
            return shared;
        }
        if (CLIENTS.size() >= MAX_SHARED_CLIENTS) {
            return build(connectTimeout);
        }
        return CLIENTS.computeIfAbsent(connectTimeout, SharedHttpClient::build);
    }

    private static HttpClient build(Duration connectTimeout) {
        // Plain http:// requests are pinned to HTTP/1.1 per request (ProviderHttp), so one client serves both.
        return HttpClient.newBuilder()
                .executor(Executor.INSTANCE)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_2)
                .build();
    }

    private static final class Executor {
        static final ThreadPoolExecutor INSTANCE;

        static {
            var next = new AtomicInteger();
            ThreadFactory threads = task -> {
                Thread t = new Thread(task, "agentrt-http-" + next.getAndIncrement());
                t.setDaemon(true);
                return t;
            };
            // The threads start at once and never time out: a pool that must start a thread takes a lock,
            // and with all of them running, execute() is a lock-free offer to the queue.
            INSTANCE = new ThreadPoolExecutor(THREADS, THREADS, 1, TimeUnit.MINUTES, new LinkedTransferQueue<>(),
                    threads);
            INSTANCE.prestartAllCoreThreads();
        }
    }
}
