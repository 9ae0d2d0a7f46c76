package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.tool.Tool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Makes the file-system tools for {@code dev.agentrt.tools.fs.FileSystemTools}. Not API. */
public final class FsTools {
    private FsTools() {}

    /**
     * The tools confined to {@code realRoot} (the real path of an existing directory; {@code given} is
     * the root as the user wrote it, also accepted as the prefix of absolute path arguments).
     */
    public static List<Tool> create(Path given, Path realRoot, FsLimits limits, boolean readOnly) {
        Jail jail = new Jail(given, realRoot);
        var tools = new ArrayList<Tool>();
        tools.add(new ReadFileTool(jail, limits));
        if (!readOnly) {
            tools.add(new WriteFileTool(jail, limits));
            tools.add(new EditFileTool(jail, limits));
        }
        tools.add(new ListDirectoryTool(jail, limits));
        tools.add(new GlobTool(jail, limits));
        tools.add(new GrepTool(jail, limits));
        return List.copyOf(tools);
    }
}
