package dev.agentrt.tools.internal.git;

import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.Dir;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.WorkingTreeIterator;
import org.eclipse.jgit.util.FS;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;

/**
 * JGit's work-tree iterator, except that a nested repository (a submodule's checkout) is only opened when its
 * {@code .git} stays inside this repository: a directory reached without links, or a gitfile naming a directory
 * under {@code .git/modules}. A {@code gitdir:} pointing elsewhere is refused instead of read.
 */
final class WorkTreeIterator extends FileTreeIterator {
    private final Path root;

    WorkTreeIterator(Repository repo) {
        super(repo);
        this.root = repo.getWorkTree().toPath();
    }

    private WorkTreeIterator(WorkTreeIterator parent, File directory, FS fs, FileModeStrategy strategy) {
        super(parent, directory, fs, strategy);
        this.root = parent.root;
    }

    @Override
    protected AbstractTreeIterator enterSubtree() {
        return new WorkTreeIterator(this, ((FileEntry) current()).getFile(), fs, fileModeStrategy);
    }

    @Override
    protected byte[] idSubmodule(File directory, WorkingTreeIterator.Entry e) {
        Path sub = directory.toPath().resolve(e.getName()).normalize();
        if (!sub.startsWith(root) || sub.equals(root)) {
            throw GitException.denied("the nested repository " + sub + " is outside the work tree");
        }
        String shown = root.relativize(sub).toString();
        var names = new ArrayList<String>();
        for (Path n : root.relativize(sub)) {
            names.add(n.toString());
        }
        try (Dir dir = Confined.openReal(root, names, false)) {
            BasicFileAttributes a = dir.attributes(Repo.GIT_DIR);
            if (a == null) {
                return super.idSubmodule(directory, e);
            }
            if (a.isRegularFile()) {
                String text = new String(Confined.readAll(dir, Repo.GIT_DIR, 4096), StandardCharsets.UTF_8).strip();
                if (!text.startsWith("gitdir:")) {
                    throw GitException.denied(shown + "/.git is a file that is not a gitdir pointer");
                }
                Path target = sub.resolve(text.substring("gitdir:".length()).strip()).normalize();
                if (!target.startsWith(root.resolve(Repo.GIT_DIR).resolve("modules"))) {
                    throw GitException.denied("the nested repository " + shown + " points to a repository outside "
                            + "this one (" + Repo.quote(text) + "); the git tools do not read it");
                }
            } else if (!a.isDirectory()) {
                throw GitException.denied(shown + "/.git is a symbolic link; the git tools do not follow it");
            }
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return super.idSubmodule(directory, e);
    }
}
