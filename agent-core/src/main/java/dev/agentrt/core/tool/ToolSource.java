package dev.agentrt.core.tool;

import java.util.List;

/**
 * Something that provides tools: one {@link Tool}, or a group of them (the file system tools of a
 * directory, the tools of an MCP server), so that {@code Agent.builder().tools(...)} takes both.
 *
 * <pre>{@code
 * Agent.builder().tools(WebBrowser.create(), FileSystemTools.rootedAt(project), mcpServerTools)
 * }</pre>
 */
public interface ToolSource {
    /** The tools, in a stable order; never null. */
    List<Tool> tools();
}
