package dev.agentrt.core.internal.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses. The egress layer asks once per request hop and connects only to
 * what this returned and the guard checked. Blocking.
 */
@FunctionalInterface
public interface Resolver {
    /** The JDK's resolver ({@link InetAddress#getAllByName}: the hosts file, then DNS). */
    Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /** The addresses of {@code host}, a normalised name (never an IP literal); never empty. */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
