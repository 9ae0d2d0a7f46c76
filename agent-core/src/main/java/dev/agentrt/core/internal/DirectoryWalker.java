package dev.agentrt.core.internal;

import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.Dir;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A lazy, depth-first walk over the text files of a directory, as git would see them: {@code .gitignore} files at
 * every level, {@code .git/info/exclude} and extra patterns honoured, {@code .git} skipped, binary, oversized and
 * unreadable files skipped, at most {@code maxFiles} files returned.
 *
 * <pre>{@code
 * try (DirectoryWalker walker = DirectoryWalker.open(root, 1 << 20, 10_000, true, List.of(), true)) {
 *     while (walker.hasNext()) {
 *         DirectoryWalker.WalkedFile file = walker.next();
 *     }
 * }
 * }</pre>
 *
 * <p>Entries of each directory are visited in name order, so the walk is deterministic. The walk goes through the
 * confinement layer ({@code dev.agentrt.core.internal.fs}), with the policy every walker of the runtime shares: a
 * symbolic link is never followed, whatever it points to (reported as skipped), so a walk never leaves the root and
 * link cycles cannot loop; a directory swapped for a link while the walk runs is skipped, never entered. A directory is
 * listed when the walk enters it and a file is read when the walk reaches it: nothing is read ahead of
 * {@link #hasNext()}.
 *
 * <p>Not thread-safe: one walk belongs to one consumer. Every method blocks on file-system I/O; call them on
 * {@code AgentSchedulers.blocking()}. The directories from the root to the current one stay open (as descriptors)
 * until the walk ends or {@link #close()} is called.
 */
public final class DirectoryWalker implements Iterator<DirectoryWalker.WalkedFile>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectoryWalker.class);

    /** How far into a file a NUL byte marks it as binary, as git does. */
    private static final int BINARY_PROBE_BYTES = 8 * 1024;

    private static final int BUFFER_BYTES = 8 * 1024;

    /** Largest ignore file read; a larger one is ignored. */
    private static final long MAX_RULES_BYTES = 4L << 20;

    /** Largest text a Java string holds comfortably. */
    private static final long MAX_TEXT_BYTES = Integer.MAX_VALUE - 16;

    /**
     * One file of the walk.
     *
     * @param relativePath path relative to the root
     * @param id the relative path with {@code '/'} separators
     * @param size size in bytes
     * @param text the content decoded as UTF-8, or {@code null} when the walk does not keep contents or the file was
     *     skipped
     * @param skipReason why the file was skipped (binary, not UTF-8, too large, unreadable, a symbolic link),
     *     for a walk that reports skipped files; {@code null} for a file of the walk
     */
    public record WalkedFile(Path relativePath, String id, long size, @Nullable String text,
            @Nullable String skipReason) {
        public WalkedFile {
            Objects.requireNonNull(relativePath, "relativePath");
            Objects.requireNonNull(id, "id");
        }

        public WalkedFile(Path relativePath, String id, long size, @Nullable String text) {
            this(relativePath, id, size, text, null);
        }

        /** Whether the walk skipped this file; see {@link #skipReason()}. */
        public boolean skipped() {
            return skipReason != null;
        }
    }

    private final Path root;
    private final long maxFileBytes;
    private final int maxFiles;
    private final boolean respectGitignore;
    private final GitignoreRules extraRules;
    private final GitignoreRules excludeRules;
    private final boolean keepText;
    private final boolean reportSkipped;
    private @Nullable String lastSkip;
    private final Deque<Frame> stack = new ArrayDeque<>();
    private int returned;
    private @Nullable WalkedFile next;
    private boolean closed;

    private DirectoryWalker(
            Path root,
            long maxFileBytes,
            int maxFiles,
            boolean respectGitignore,
            GitignoreRules extraRules,
            boolean keepText,
            boolean reportSkipped) {
        this.root = root;
        this.maxFileBytes = maxFileBytes;
        this.maxFiles = maxFiles;
        this.respectGitignore = respectGitignore;
        this.extraRules = extraRules;
        this.keepText = keepText;
        this.reportSkipped = reportSkipped;
        this.excludeRules = respectGitignore ? readExclude(root) : GitignoreRules.EMPTY;
        try {
            stack.push(frame(Confined.openRoot(root), ""));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the context root " + root, e);
        }
    }

    /**
     * Starts a walk: resolves the root's real path and lists it.
     *
     * @param root the directory to walk
     * @param maxFileBytes files larger than this are skipped
     * @param maxFiles the walk ends after this many files
     * @param respectGitignore whether to honour {@code .gitignore} files and {@code .git/info/exclude}
     * @param extraIgnorePatterns gitignore patterns relative to the root, taking precedence over every other rule
     * @param keepText whether to return each file's text; without it files are still read to detect binaries
     * @param reportSkipped whether files skipped as binary, too large, unreadable or symbolic links are
     *     returned too, with a {@link WalkedFile#skipReason()} (they do not count towards {@code maxFiles})
     * @throws IllegalArgumentException if the root does not exist or is not a directory
     * @throws UncheckedIOException if the root cannot be read
     */
    public static DirectoryWalker open(
            Path root,
            long maxFileBytes,
            int maxFiles,
            boolean respectGitignore,
            List<String> extraIgnorePatterns,
            boolean keepText,
            boolean reportSkipped) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(extraIgnorePatterns, "extraIgnorePatterns");
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("maxFileBytes must be positive: " + maxFileBytes);
        }
        if (maxFiles <= 0) {
            throw new IllegalArgumentException("maxFiles must be positive: " + maxFiles);
        }
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Context root does not exist: " + root, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resolve the context root " + root, e);
        }
        if (!Files.isDirectory(realRoot)) {
            throw new IllegalArgumentException("Context root is not a directory: " + root);
        }
        return new DirectoryWalker(realRoot, maxFileBytes, maxFiles, respectGitignore,
                GitignoreRules.of(extraIgnorePatterns), keepText, reportSkipped);
    }

    /** {@link #open(Path, long, int, boolean, List, boolean, boolean)} without reporting skipped files. */
    public static DirectoryWalker open(
            Path root,
            long maxFileBytes,
            int maxFiles,
            boolean respectGitignore,
            List<String> extraIgnorePatterns,
            boolean keepText) {
        return open(root, maxFileBytes, maxFiles, respectGitignore, extraIgnorePatterns, keepText, false);
    }

    /** The real path of the root. */
    public Path root() {
        return root;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !closed) {
            next = advance();
            if (next == null) {
                close();
            }
        }
        return next != null;
    }

    @Override
    public WalkedFile next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        WalkedFile result = Objects.requireNonNull(next);
        next = null;
        return result;
    }

    /** Ends the walk; later calls to {@link #hasNext()} return {@code false}. Idempotent. */
    @Override
    public void close() {
        closed = true;
        while (!stack.isEmpty()) {
            closeQuietly(stack.pop().dir);
        }
    }

    private static void closeQuietly(Dir dir) {
        try {
            dir.close();
        } catch (IOException e) {
            log.debug("Cannot close a directory of the walk ({})", e.toString());
        }
    }

    private @Nullable WalkedFile advance() {
        while (returned < maxFiles) {
            Frame frame = stack.peek();
            if (frame == null) {
                return null;
            }
            if (frame.index == frame.children.size()) {
                closeQuietly(stack.pop().dir);
                continue;
            }
            String name = frame.children.get(frame.index++);
            if (name.equals(".git")) {
                continue;
            }
            String id = frame.id.isEmpty() ? name : frame.id + "/" + name;
            BasicFileAttributes attributes;
            try {
                attributes = frame.dir.attributes(name);
            } catch (IOException e) {
                log.debug("Skipping {}: cannot read its attributes ({})", id, e.toString());
                continue;
            }
            if (attributes == null) {
                continue;
            }
            // Git sees a symbolic link as a file, whatever it points to.
            boolean directory = attributes.isDirectory();
            if (isIgnored(id, directory)) {
                log.trace("Skipping {}: ignored", id);
                continue;
            }
            if (directory) {
                Frame child = enter(frame.dir, name, id);
                if (child != null) {
                    stack.push(child);
                }
                continue;
            }
            lastSkip = null;
            WalkedFile file = visitFile(frame.dir, name, id, attributes);
            if (file != null) {
                returned++;
                return file;
            }
            if (reportSkipped && lastSkip != null) {
                return new WalkedFile(root.getFileSystem().getPath(id), id, attributes.size(), null, lastSkip);
            }
        }
        log.debug("Stopping the walk of {} after {} files", root, maxFiles);
        return null;
    }

    private @Nullable WalkedFile visitFile(Dir dir, String name, String id, BasicFileAttributes attributes) {
        long size = attributes.size();
        if (attributes.isSymbolicLink()) {
            skip("a symbolic link (links are not followed)", id);
            return null;
        }
        if (!attributes.isRegularFile()) {
            log.debug("Skipping {}: not a regular file", id);
            return null;
        }
        if (size > maxFileBytes) {
            skip(size + " bytes, over the limit of " + maxFileBytes, id);
            return null;
        }
        String text;
        try (InputStream in = Channels.newInputStream(dir.openRead(name))) {
            text = readText(in, id);
        } catch (IOException e) {
            skip("cannot read it (" + e.getMessage() + ")", id);
            return null;
        }
        if (text == null) {
            return null;
        }
        return new WalkedFile(root.getFileSystem().getPath(id), id, size, keepText ? text : null);
    }

    private void skip(String reason, String id) {
        log.debug("Skipping {}: {}", id, reason);
        lastSkip = reason;
    }

    /**
     * Reads and decodes the file as strict UTF-8; {@code null} when it is binary (a NUL byte in its first 8 KiB, or
     * bytes that are not UTF-8) or grew over the limit. Returns an empty string when texts are not kept.
     */
    private @Nullable String readText(InputStream in, String id) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        StringBuilder text = new StringBuilder();
        ByteBuffer bytes = ByteBuffer.allocate(BUFFER_BYTES);
        CharBuffer chars = CharBuffer.allocate(BUFFER_BYTES);
        long limit = keepText ? Math.min(maxFileBytes, MAX_TEXT_BYTES) : maxFileBytes;
        long total = 0;
        boolean endOfInput = false;
        while (!endOfInput) {
            int read = in.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            if (read < 0) {
                endOfInput = true;
            } else {
                for (int i = 0; i < read && total + i < BINARY_PROBE_BYTES; i++) {
                    if (bytes.get(bytes.position() + i) == 0) {
                        skip("binary (a NUL byte)", id);
                        return null;
                    }
                }
                total += read;
                if (total > limit) {
                    skip("grew over the limit of " + limit + " bytes", id);
                    return null;
                }
                bytes.position(bytes.position() + read);
            }
            bytes.flip();
            CoderResult result;
            do {
                result = decoder.decode(bytes, chars, endOfInput);
                if (result.isError()) {
                    skip("not UTF-8 text", id);
                    return null;
                }
                drain(chars, text);
            } while (result.isOverflow());
            bytes.compact();
        }
        while (decoder.flush(chars).isOverflow()) {
            drain(chars, text);
        }
        drain(chars, text);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text.deleteCharAt(0);
        }
        return text.toString();
    }

    private void drain(CharBuffer chars, StringBuilder text) {
        chars.flip();
        if (keepText) {
            text.append(chars);
        }
        chars.clear();
    }

    private boolean isIgnored(String id, boolean directory) {
        // Precedence as git: extra (command-line) patterns, then .gitignore files from the deepest up, then
        // .git/info/exclude; the first file with a matching rule decides.
        GitignoreRules.Match match = extraRules.match(id, directory);
        if (match == GitignoreRules.Match.NONE && respectGitignore) {
            for (Frame frame : stack) {
                if (!frame.rules.isEmpty()) {
                    String relative = frame.id.isEmpty() ? id : id.substring(frame.id.length() + 1);
                    match = frame.rules.match(relative, directory);
                    if (match != GitignoreRules.Match.NONE) {
                        break;
                    }
                }
            }
            if (match == GitignoreRules.Match.NONE) {
                match = excludeRules.match(id, directory);
            }
        }
        return match == GitignoreRules.Match.IGNORED;
    }

    /** Enters a subdirectory; {@code null} (logged) if it cannot be opened or listed, which skips it. */
    private @Nullable Frame enter(Dir parent, String name, String id) {
        Dir dir;
        try {
            dir = parent.openDir(name, false);
        } catch (IOException e) {
            log.debug("Skipping directory {}: cannot open it ({})", id, e.toString());
            return null;
        }
        try {
            return frame(dir, id);
        } catch (IOException e) {
            closeQuietly(dir);
            log.debug("Skipping directory {}: cannot list it ({})", id, e.toString());
            return null;
        }
    }

    /** Lists an opened directory, sorted by name, and reads its {@code .gitignore}. */
    private Frame frame(Dir dir, String id) throws IOException {
        List<String> children = dir.names();
        GitignoreRules rules = respectGitignore ? readRules(dir, ".gitignore") : GitignoreRules.EMPTY;
        return new Frame(dir, id, children, rules);
    }

    private static GitignoreRules readExclude(Path root) {
        try (Dir info = Confined.open(root, List.of(".git", "info"), false)) {
            return readRules(info, "exclude");
        } catch (IOException e) {
            return GitignoreRules.EMPTY;
        }
    }

    private static GitignoreRules readRules(Dir dir, String name) {
        // Like git, do not follow a symbolic link named .gitignore.
        try {
            BasicFileAttributes a = dir.attributes(name);
            if (a == null || !a.isRegularFile() || a.isSymbolicLink()) {
                return GitignoreRules.EMPTY;
            }
            return GitignoreRules.parse(new String(Confined.readAll(dir, name, MAX_RULES_BYTES),
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.debug("Ignoring {}: cannot read it ({})", dir.display(name), e.toString());
            return GitignoreRules.EMPTY;
        }
    }

    private static final class Frame {
        final Dir dir;
        final String id;
        final List<String> children;
        final GitignoreRules rules;
        int index;

        Frame(Dir dir, String id, List<String> children, GitignoreRules rules) {
            this.dir = dir;
            this.id = id;
            this.children = children;
            this.rules = rules;
        }
    }
}
