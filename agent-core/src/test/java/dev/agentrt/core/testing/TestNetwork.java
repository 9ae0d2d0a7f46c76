package dev.agentrt.core.testing;

import dev.agentrt.core.internal.net.Connector;
import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.internal.net.Resolver;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The network of an egress test, as a JUnit extension: a resolver that answers only from the test's
 * own table (never DNS; optionally the JDK resolver, which the surefire configuration points at a
 * hosts file), and a connector that connects to 127.0.0.1 and nothing else. Any other destination
 * fails loudly before a packet is sent: the connect throws an {@link AssertionError}, and the
 * test fails after it ends even if the code under test swallowed the error.
 *
 * <pre>{@code
 * @RegisterExtension final TestNetwork net = TestNetwork.loopbackOnly()
 *         .answer("rebind.test", "127.0.0.1")
 *         .answers("flip.test", List.of("127.0.0.1"), List.of("10.0.0.9"));   // first lookup, then every later one
 * Egress egress = Egress.builder().network(net.network()).build();
 * }</pre>
 *
 * <p>Lookups and connection attempts are recorded, so a test can prove that a name was resolved once
 * and that the connection went to the checked address. Thread-safe.
 */
public final class TestNetwork implements AfterEachCallback {
    private static final InetAddress LOOPBACK = address("127.0.0.1");

    private final Map<String, Deque<List<InetAddress>>> answers = new ConcurrentHashMap<>();
    private final Map<InetAddress, InetAddress> routes = new ConcurrentHashMap<>();
    private final List<String> lookups = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> connects = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private volatile boolean systemResolver;

    private TestNetwork() {}

    /** A network where nothing resolves until the test says so, and only 127.0.0.1 can be reached. */
    public static TestNetwork loopbackOnly() {
        return new TestNetwork();
    }

    /** Names the table does not hold go to the JDK resolver (the test JVM's hosts file). */
    public TestNetwork withSystemResolver() {
        systemResolver = true;
        return this;
    }

    /** {@code host} resolves to {@code addresses} at every lookup. */
    public TestNetwork answer(String host, String... addresses) {
        var q = new ArrayDeque<List<InetAddress>>();
        q.add(parse(addresses));
        answers.put(host, q);
        return this;
    }

    /** {@code host} resolves to each answer in turn, one per lookup; the last one repeats. */
    @SafeVarargs
    public final TestNetwork answers(String host, List<String>... sequence) {
        var q = new ArrayDeque<List<InetAddress>>();
        for (List<String> a : sequence) {
            q.add(parse(a.toArray(String[]::new)));
        }
        answers.put(host, q);
        return this;
    }

    /**
     * Connections to {@code address} (say {@code ::1}) go to 127.0.0.1 on the same port instead, so a
     * test can follow a request to an address no test server may listen on. The attempt is recorded
     * with the address the code asked for.
     */
    public TestNetwork route(String address) {
        routes.put(address(address), LOOPBACK);
        return this;
    }

    /** {@link Network#SYSTEM} with this resolver and connector. */
    public Network network() {
        return network(Network.SYSTEM);
    }

    /** {@code base} with this resolver and connector. */
    public Network network(Network base) {
        return base.withResolver(resolver()).withConnector(connector());
    }

    public Resolver resolver() {
        return host -> {
            lookups.add(host);
            Deque<List<InetAddress>> q = answers.get(host);
            if (q == null) {
                if (systemResolver) {
                    return Resolver.SYSTEM.resolve(host);
                }
                throw new UnknownHostException(host + " (not in the test's table)");
            }
            synchronized (q) {
                return q.size() > 1 ? q.poll() : q.peek();
            }
        };
    }

    public Connector connector() {
        return (socket, address, timeoutMillis) -> {
            connects.add(address);
            InetAddress target = routes.getOrDefault(address.getAddress(), address.getAddress());
            if (!target.equals(LOOPBACK)) {
                String v = "a test tried to connect to " + address + "; tests may reach 127.0.0.1 only";
                violations.add(v);
                throw new AssertionError(v);
            }
            socket.connect(new InetSocketAddress(target, address.getPort()), timeoutMillis);
        };
    }

    /** Every host name looked up, in order. */
    public List<String> lookups() {
        return List.copyOf(lookups);
    }

    /** Every address a connection was attempted to (as asked for, before any route), in order. */
    public List<InetSocketAddress> connects() {
        return List.copyOf(connects);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!violations.isEmpty()) {
            throw new AssertionError("connections outside 127.0.0.1 were attempted: " + violations);
        }
    }

    private static List<InetAddress> parse(String... addresses) {
        var out = new ArrayList<InetAddress>();
        for (String a : Arrays.asList(addresses)) {
            out.add(address(a));
        }
        return List.copyOf(out);
    }

    /** An address from its literal; never a lookup. */
    private static InetAddress address(String literal) {
        try {
            if (literal.indexOf(':') >= 0) {
                return InetAddress.getByName(literal); // an IPv6 literal is parsed, not resolved
            }
            String[] parts = literal.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) Integer.parseInt(parts[i]);
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException | RuntimeException e) {
            throw new IllegalArgumentException("not an IP literal: " + literal, e);
        }
    }
}
