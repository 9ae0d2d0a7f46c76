/**
 * Web tools: {@link dev.agentrt.tools.web.WebBrowser} reads pages as Markdown with numbered links;
 * {@link dev.agentrt.tools.web.HttpTool} calls JSON APIs. Every request needs a
 * {@code Capability.net} grant for its host and goes through agent-core's egress layer
 * ({@link dev.agentrt.core.egress.Egress}): every URL, the first and each redirect, is resolved once
 * and every address checked by {@link dev.agentrt.core.security.UrlGuard}; loopback, private and
 * link-local addresses need a grant that allows private addresses, metadata addresses a grant that
 * names the exact address.
 */
@NullMarked
package dev.agentrt.tools.web;

import org.jspecify.annotations.NullMarked;
