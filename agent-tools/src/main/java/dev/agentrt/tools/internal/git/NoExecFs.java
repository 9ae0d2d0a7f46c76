package dev.agentrt.tools.internal.git;

import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.FS_POSIX;
import org.eclipse.jgit.util.ProcessResult;
import org.jspecify.annotations.Nullable;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * JGit's view of the file system with every way of running a program closed. A repository is
 * attacker-controlled: its hooks ({@code .git/hooks}, {@code core.hooksPath}), its filter drivers
 * ({@code filter.x.clean} with {@code .gitattributes}) and a {@code remote.x.receivepack} would otherwise run
 * commands of its choosing. Hooks are never found; a filter or a forked transport fails with
 * {@link CommandRefused}. JGit does not look for a {@code git} executable or the system configuration it names.
 */
final class NoExecFs extends FS_POSIX {
    static final String REFUSAL = "the git tools never run external commands (a filter driver, a hook or a "
            + "transport program named in the repository's configuration)";

    NoExecFs() {}

    private NoExecFs(FS src) {
        super(src);
    }

    @Override
    public FS newInstance() {
        return new NoExecFs(this);
    }

    @Override
    protected @Nullable File discoverGitExe() {
        return null;
    }

    @Override
    protected @Nullable File discoverGitSystemConfig() {
        return null;
    }

    @Override
    public @Nullable File findHook(Repository repository, String hookName) {
        return null;
    }

    @Override
    public ProcessResult runHookIfPresent(Repository repository, String hookName, String[] args)
            throws JGitInternalException {
        return new ProcessResult(ProcessResult.Status.NOT_PRESENT);
    }

    @Override
    public ProcessResult runHookIfPresent(Repository repository, String hookName, String[] args,
            OutputStream outRedirect, OutputStream errRedirect, String stdinArgs) throws JGitInternalException {
        return new ProcessResult(ProcessResult.Status.NOT_PRESENT);
    }

    @Override
    protected ProcessResult internalRunHookIfPresent(Repository repository, String hookName, String[] args,
            OutputStream outRedirect, OutputStream errRedirect, String stdinArgs) throws JGitInternalException {
        return new ProcessResult(ProcessResult.Status.NOT_PRESENT);
    }

    @Override
    public ProcessBuilder runInShell(String cmd, String[] args) {
        throw new CommandRefused(cmd);
    }

    @Override
    public int runProcess(ProcessBuilder processBuilder, OutputStream outRedirect, OutputStream errRedirect,
            String stdinArgs) throws IOException {
        throw new IOException(new CommandRefused(String.join(" ", processBuilder.command())));
    }

    @Override
    public int runProcess(ProcessBuilder processBuilder, OutputStream outRedirect, OutputStream errRedirect,
            InputStream inRedirect) throws IOException {
        throw new IOException(new CommandRefused(String.join(" ", processBuilder.command())));
    }

    @Override
    public ExecutionResult execute(ProcessBuilder pb, InputStream in) throws IOException {
        throw new IOException(new CommandRefused(String.join(" ", pb.command())));
    }

    /** What JGit meets where it would have started a program. */
    static final class CommandRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CommandRefused(String command) {
            super(REFUSAL + "; refused: " + clip(command));
        }

        private static String clip(String s) {
            return s.length() > 200 ? s.substring(0, 200) + "…" : s;
        }
    }
}
