package dev.agentrt.tools.internal.git;

import dev.agentrt.core.tool.Tool;

import java.util.ArrayList;
import java.util.List;

/** Makes the git tools for {@code dev.agentrt.tools.git.GitTools}. Not API. */
public final class GitToolSet {
    /** The custom capability {@code git_commit} needs, scoped to the repository's real path. */
    public static final String COMMIT_CAPABILITY = CommitTool.CAPABILITY;

    private GitToolSet() {}

    /** The tools for the repository {@code settings.root()}; without the ones that change it when {@code readOnly}. */
    public static List<Tool> create(GitSettings settings, boolean readOnly) {
        var tools = new ArrayList<Tool>();
        tools.add(new StatusTool(settings));
        tools.add(new DiffTool(settings));
        tools.add(new LogTool(settings));
        tools.add(new ShowTool(settings));
        if (!readOnly) {
            tools.add(new BranchTool(settings));
            tools.add(new AddTool(settings));
            tools.add(new CommitTool(settings));
            tools.add(new FormatPatchTool(settings));
            if (settings.pushRemote() != null || settings.httpRemote() != null) {
                tools.add(new PushTool(settings));
            }
        }
        return List.copyOf(tools);
    }
}
