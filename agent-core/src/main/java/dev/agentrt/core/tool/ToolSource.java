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

    /**
     * What the model should be told to use these tools well (an MCP server's {@code instructions}),
     * or an empty string for nothing. An agent built with this source gives it to the model as a
     * system message of every task, after the agent's own instructions.
     */
    default String instructions() {
        return "";
    }
}
