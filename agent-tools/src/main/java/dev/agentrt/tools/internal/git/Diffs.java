package dev.agentrt.tools.internal.git;

import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.lib.Repository;

import java.io.OutputStream;

/** How the tools show diffs to the model. */
final class Diffs {
    private Diffs() {}

    /** A formatter in git's unified format, with renames detected and large files shown as binary. */
    static DiffFormatter formatter(Repository repo, OutputStream out, GitSettings settings) {
        var f = new DiffFormatter(out);
        f.setRepository(repo);
        f.setDiffComparator(RawTextComparator.DEFAULT);
        f.setDetectRenames(true);
        f.setBinaryFileThreshold(settings.maxFileBytes());
        return f;
    }
}
