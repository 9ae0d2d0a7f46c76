/**
 * The egress layer's implementation: name resolution, connections pinned to checked addresses,
 * HTTP/1.1 on the wire, redirects. Not API: the public face is {@code dev.agentrt.core.egress};
 * agent-tools and agent-sandbox use these classes directly, and tests replace the
 * {@link dev.agentrt.core.internal.net.Network} (resolver, connector, TLS, clock).
 */
@NullMarked
package dev.agentrt.core.internal.net;

import org.jspecify.annotations.NullMarked;
