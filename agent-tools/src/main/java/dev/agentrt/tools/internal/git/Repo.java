package dev.agentrt.tools.internal.git;

import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.Dir;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Opens the repository for one call, after checking it through the confinement layer. The repository is
 * attacker-controlled, so before JGit sees it:
 * <ul>
 *   <li>the work tree is walked from the file-system root without following a link;
 *   <li>{@code .git} must be a directory of the work tree: a link, or a gitfile ({@code gitdir: /elsewhere}), is
 *       refused, and so is a {@code commondir} file (a linked work tree sharing another repository);
 *   <li>nothing inside {@code .git} may be a symbolic link, and {@code objects/info/alternates} (objects read from
 *       another repository) is refused;
 *   <li>{@code .git/config} may not {@code include} another file.
 * </ul>
 * JGit then opens {@code .git} with the work tree set to the granted directory (so {@code core.worktree} is never
 * read), without reading the {@code GIT_*} environment, on a file system that runs no program ({@link NoExecFs}).
 * JGit reads by path name: these checks are about what a repository holds, not about another process changing it
 * while a call runs.
 */
final class Repo {
    static final String GIT_DIR = ".git";
    private static final long MAX_CONFIG_BYTES = 1024 * 1024;
    private static final int MAX_DEPTH = 64;

    private Repo() {}

    /** The checked repository, opened. Blocks. */
    static Repository open(GitSettings settings) throws IOException {
        Path root = settings.root();
        try (Dir top = Confined.openReal(root)) {
            BasicFileAttributes a = top.attributes(GIT_DIR);
            if (a == null) {
                throw GitException.invalid(root + " is not a git repository: it has no .git directory");
            }
            if (a.isSymbolicLink()) {
                throw GitException.denied(".git is a symbolic link; the git tools only open a .git directory that "
                        + "is inside the repository");
            }
            if (!a.isDirectory()) {
                throw GitException.denied(".git is a file (a 'gitdir:' pointer to a repository elsewhere, as in a "
                        + "linked work tree or a submodule); the git tools only open a .git directory that is inside "
                        + "the repository");
            }
            try (Dir git = top.openDir(GIT_DIR, false)) {
                checkGitDir(git, GIT_DIR);
            }
        }
        return new FileRepositoryBuilder().setFS(new NoExecFs())
                .setGitDir(root.resolve(GIT_DIR).toFile())
                .setWorkTree(root.toFile())
                .setMustExist(true)
                .build();
    }

    /**
     * Checks the bare repository at the real path {@code remote} as {@link #open} checks a work tree's {@code .git}
     * (it is written to by a push): no link on the way or inside it, no alternates, no included configuration.
     */
    static void checkBare(Path remote) throws IOException {
        try (Dir dir = Confined.openReal(remote)) {
            BasicFileAttributes head = dir.attributes("HEAD");
            BasicFileAttributes objects = dir.attributes("objects");
            if (dir.attributes(GIT_DIR) != null || head == null || !head.isRegularFile() || objects == null
                    || !objects.isDirectory()) {
                throw GitException.failed("the push remote " + remote + " is not a bare repository; git_push only "
                        + "pushes to a bare repository");
            }
            checkGitDir(dir, remote.toString());
        }
    }

    private static void checkGitDir(Dir git, String shown) throws IOException {
        if (git.attributes("commondir") != null) {
            throw GitException.denied(shown + "/commondir makes this repository share another repository's "
                    + "files; the git tools only open a self-contained repository");
        }
        checkConfig(git, shown);
        scan(git, shown, 0);
    }

    private static void checkConfig(Dir git, String shown) throws IOException {
        if (git.attributes("config") == null) {
            return;
        }
        byte[] bytes = Confined.readAll(git, "config", MAX_CONFIG_BYTES);
        var config = new Config();
        try {
            config.fromText(new String(bytes, StandardCharsets.UTF_8));
        } catch (ConfigInvalidException e) {
            throw GitException.invalid(shown + "/config cannot be parsed: " + e.getMessage());
        }
        for (String section : config.getSections()) {
            String s = section.toLowerCase(Locale.ROOT);
            if (s.equals("include") || s.equals("includeif")) {
                throw GitException.denied(shown + "/config includes other files ([" + section + "]); the git tools do "
                        + "not open a repository whose configuration reads files outside it");
            }
        }
    }

    /** Refuses a symbolic link anywhere below {@code .git}, and alternate object stores. */
    private static void scan(Dir dir, String shown, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw GitException.denied(shown + " is nested more than " + MAX_DEPTH + " directories deep");
        }
        var subdirs = new ArrayList<String>();
        for (String name : dir.names()) {
            BasicFileAttributes a = dir.attributes(name);
            if (a == null) {
                continue;
            }
            String path = shown + "/" + name;
            if (a.isSymbolicLink()) {
                throw GitException.denied(path + " is a symbolic link; the git tools do not open a repository "
                        + "whose .git directory holds links, which could lead outside it");
            }
            if (a.isDirectory()) {
                subdirs.add(name);
            } else if (depth == 2 && (name.equals("alternates") || name.equals("http-alternates"))
                    && path.endsWith("/objects/info/" + name)) {
                throw GitException.denied(path + " makes this repository read objects of another repository; the "
                        + "git tools only open a self-contained repository");
            }
        }
        for (String name : subdirs) {
            try (Dir sub = dir.openDir(name, false)) {
                scan(sub, shown + "/" + name, depth + 1);
            }
        }
    }

    /**
     * A path argument relative to the work tree, checked lexically: {@code /}-separated, no backslash or NUL, no
     * {@code ..} leaving the work tree, nothing inside {@code .git}. An absolute path inside the work tree is
     * accepted. The elements are returned; none for the work tree itself.
     */
    static List<String> relative(Path root, String raw, String what) {
        if (raw.indexOf('\0') >= 0) {
            throw GitException.invalid(what + " contains a NUL character");
        }
        if (raw.indexOf('\\') >= 0) {
            throw GitException.invalid(what + " " + quote(raw) + " contains a backslash; separate directories with "
                    + "'/' and give the path relative to the repository");
        }
        String rel = raw;
        if (raw.startsWith("/")) {
            Path abs = root.getFileSystem().getPath(raw).normalize();
            if (!abs.startsWith(root)) {
                throw GitException.invalid(what + " " + quote(raw) + " is outside the repository; give a path "
                        + "relative to it");
            }
            rel = root.relativize(abs).toString();
        }
        var names = new ArrayList<String>();
        for (String part : rel.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (names.isEmpty()) {
                    throw GitException.invalid(what + " " + quote(raw) + " leaves the repository through '..'");
                }
                names.removeLast();
                continue;
            }
            names.add(part);
        }
        for (String name : names) {
            if (name.equalsIgnoreCase(GIT_DIR)) {
                throw GitException.denied(what + " " + quote(raw) + " is inside .git; the git tools change .git "
                        + "only through git operations");
            }
        }
        return List.copyOf(names);
    }

    /**
     * Refuses {@code names} (below the work tree) when one of its directories, or the entry itself when
     * {@code last}, is a symbolic link: git would write or read through it, outside the work tree. Walks from the
     * opened work tree without following links; a missing element ends the check (nothing there to follow).
     */
    static void noLinkOnTheWay(Path root, List<String> names, boolean last, String shown) throws IOException {
        for (String name : names) {
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.equalsIgnoreCase(GIT_DIR)) {
                throw GitException.denied(shown + " is not a valid path in a work tree (it names '.', '..' or .git,"
                        + " or has an empty element); the repository holds a path git refuses to write");
            }
        }
        Dir dir = Confined.openReal(root);
        try {
            int n = last ? names.size() : names.size() - 1;
            for (int i = 0; i < n; i++) {
                BasicFileAttributes a = dir.attributes(names.get(i));
                if (a == null) {
                    return;
                }
                if (a.isSymbolicLink()) {
                    throw GitException.denied(shown + " goes through the symbolic link "
                            + String.join("/", names.subList(0, i + 1)) + "; the git tools never follow links in the "
                            + "work tree");
                }
                if (!a.isDirectory() || i == names.size() - 1) {
                    return;
                }
                Dir next = dir.openDir(names.get(i), false);
                dir.close();
                dir = next;
            }
        } finally {
            dir.close();
        }
    }

    static String quote(String s) {
        String shown = s.length() > 200 ? s.substring(0, 200) + "…" : s;
        return "\"" + shown.replace("\0", "\\0") + "\"";
    }
}
