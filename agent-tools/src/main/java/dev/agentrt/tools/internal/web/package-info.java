/** Implementation of the web tools: the pinned HTTP client, redirects, HTML to Markdown. Not API. */
@NullMarked
package dev.agentrt.tools.internal.web;

import org.jspecify.annotations.NullMarked;
