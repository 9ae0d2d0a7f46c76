/**
 * The egress layer: the one way agentrt's tools reach the network, and the way a tool of your own
 * should. {@link dev.agentrt.core.egress.Egress#send} resolves a URL's host once, checks every
 * address against the task's grants ({@link dev.agentrt.core.security.UrlGuard}), connects to a
 * checked address (TLS verified against the URL's host), checks every redirect the same way, and caps
 * the response's size and the request's time.
 *
 * <p>This package is small on purpose: a request, a response, limits, one exception. The
 * implementation lives in {@code dev.agentrt.core.internal.net}, shared with the built-in web tools
 * and the WASM plugins' {@code agentrt.http_get}.
 */
@NullMarked
package dev.agentrt.core.egress;

import org.jspecify.annotations.NullMarked;
