/**
 * Web tools: {@link dev.agentrt.tools.web.WebBrowser} reads pages as Markdown with numbered links;
 * {@link dev.agentrt.tools.web.HttpTool} calls JSON APIs. Every request needs a
 * {@code Capability.net} grant for its host, and every URL, the first and each redirect, passes
 * {@link dev.agentrt.core.security.UrlGuard}: private, loopback, link-local and metadata
 * addresses are refused unless named exactly.
 */
@NullMarked
package dev.agentrt.tools.web;

import org.jspecify.annotations.NullMarked;
