/** Implementation of the web tools: HTML to Markdown, content types. Not API; the network is agent-core's egress layer. */
@NullMarked
package dev.agentrt.tools.internal.web;

import org.jspecify.annotations.NullMarked;
