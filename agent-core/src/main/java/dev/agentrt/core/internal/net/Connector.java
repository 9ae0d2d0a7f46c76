package dev.agentrt.core.internal.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Connects a new, unconnected socket to a checked address. The egress layer owns the socket (it can
 * close it from another thread while this blocks); the connector only decides how to connect.
 * Blocking.
 */
@FunctionalInterface
public interface Connector {
    /** {@link Socket#connect(java.net.SocketAddress, int)}, nothing more. */
    Connector DIRECT = (socket, address, timeoutMillis) -> socket.connect(address, timeoutMillis);

    /** Connects {@code socket} to {@code address} (an address without a host name) within the timeout. */
    void connect(Socket socket, InetSocketAddress address, int timeoutMillis) throws IOException;
}
