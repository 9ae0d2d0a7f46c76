package dev.agentrt.core.internal.net;

import org.jspecify.annotations.Nullable;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the egress layer talks to the world through: a resolver, a connector, the TLS socket factory
 * and the clock its deadlines read. {@link #SYSTEM} is the real thing; tests swap parts (a resolver
 * with scripted answers, a connector that refuses any address but 127.0.0.1, a trust store for a
 * test certificate, a clock that jumps).
 *
 * @param resolver name to addresses, asked once per hop
 * @param connector connects a socket to a checked address
 * @param tls the factory that layers TLS over a connected socket, fetched when the first https
 *        request needs it
 * @param nanoTime the clock of deadlines, as {@link System#nanoTime()}
 */
public record Network(Resolver resolver, Connector connector, Supplier<SSLSocketFactory> tls, LongSupplier nanoTime) {
    /** The JDK resolver, direct connections, the default TLS context, {@link System#nanoTime()}. */
    public static final Network SYSTEM = new Network(Resolver.SYSTEM, Connector.DIRECT, Network::defaultTls,
            System::nanoTime);

    public Network {
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(nanoTime, "nanoTime");
    }

    public Network withResolver(Resolver resolver) {
        return new Network(resolver, connector, tls, nanoTime);
    }

    public Network withConnector(Connector connector) {
        return new Network(resolver, connector, tls, nanoTime);
    }

    public Network withTls(SSLSocketFactory factory) {
        Objects.requireNonNull(factory, "factory");
        return new Network(resolver, connector, () -> factory, nanoTime);
    }

    public Network withClock(LongSupplier nanoTime) {
        return new Network(resolver, connector, tls, nanoTime);
    }

    private static volatile @Nullable SSLSocketFactory defaultTls;

    /** The JDK's default TLS context, made when first needed; fails with {@link IllegalStateException}. */
    private static SSLSocketFactory defaultTls() {
        SSLSocketFactory f = defaultTls;
        if (f == null) {
            try {
                f = SSLContext.getDefault().getSocketFactory();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no default TLS context", e);
            }
            defaultTls = f;
        }
        return f;
    }
}
