package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.security.PathPolicy;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The root the tools are confined to. {@link #resolve} checks a path argument lexically (no I/O, so
 * it may run on any thread); {@link #open} walks to a directory one element at a time without
 * following links. Immutable and thread-safe.
 */
final class Jail {
    private final Path given;
    private final Path real;

    /** {@code real} must be the real path of an existing directory. */
    Jail(Path given, Path real) {
        this.given = PathPolicy.lexical(given);
        this.real = real;
    }

    Path root() {
        return real;
    }

    /**
     * A path argument, checked: relative to the root (or absolute inside it), {@code /}-separated,
     * {@code ..} resolved without leaving the root.
     *
     * @param names the path's elements below the root; empty for the root itself
     * @param absolute the path the capability check is made for
     * @param display the path relative to the root, as the model should write it
     */
    record Target(List<String> names, Path absolute, String display) {
        String fileName() {
            return names.getLast();
        }

        List<String> parent() {
            return names.subList(0, names.size() - 1);
        }
    }

    Target resolve(String raw) {
        if (raw.indexOf('\0') >= 0) {
            throw FsException.invalid("the path contains a NUL character; give a plain path relative to the root");
        }
        if (raw.indexOf('\\') >= 0) {
            throw FsException.invalid("the path " + quote(raw) + " contains a backslash; separate directories with '/'"
                    + " and give the path relative to the root");
        }
        if (raw.length() >= 2 && Character.isLetter(raw.charAt(0)) && raw.charAt(1) == ':') {
            throw FsException.invalid("the path " + quote(raw) + " looks like a Windows drive path; give the path "
                    + "relative to the root, with '/' separators");
        }
        Path p;
        try {
            p = real.getFileSystem().getPath(raw);
        } catch (InvalidPathException e) {
            throw FsException.invalid("not a valid path: " + quote(raw) + " (" + e.getReason() + ")");
        }
        Path relative;
        if (p.isAbsolute()) {
            Path abs = p.normalize();
            if (abs.startsWith(real)) {
                relative = real.relativize(abs);
            } else if (abs.startsWith(given)) {
                relative = given.relativize(abs);
            } else {
                throw FsException.invalid("the absolute path " + quote(raw) + " is outside the root directory; "
                        + "give a path relative to the root");
            }
        } else {
            relative = p.normalize();
            if (relative.startsWith("..")) {
                throw FsException.invalid("the path " + quote(raw) + " leaves the root directory through '..'; "
                        + "give a path inside the root");
            }
        }
        var names = new ArrayList<String>();
        for (Path name : relative) {
            String s = name.toString();
            if (!s.isEmpty()) {
                names.add(s);
            }
        }
        Path absolute = names.isEmpty() ? real : real.resolve(String.join("/", names));
        return new Target(List.copyOf(names), absolute, names.isEmpty() ? "." : String.join("/", names));
    }

    /**
     * The normalised absolute path a well-formed {@code raw} names when it is outside the root, else null (inside,
     * or malformed). No I/O.
     */
    @Nullable
    Path outside(String raw) {
        if (raw.indexOf('\0') >= 0 || raw.indexOf('\\') >= 0
                || raw.length() >= 2 && Character.isLetter(raw.charAt(0)) && raw.charAt(1) == ':') {
            return null;
        }
        try {
            Path p = real.getFileSystem().getPath(raw);
            Path named = (p.isAbsolute() ? p : real.resolve(p)).normalize();
            return named.startsWith(real) || named.startsWith(given) ? null : named;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** Opens the root as a {@link Dir}: a descriptor where the platform allows. Blocks. */
    Dir openRoot() throws IOException {
        return Confined.openRoot(real);
    }

    /** Opens the directory {@code names} below the root without following links, creating missing ones if asked. */
    Dir open(List<String> names, boolean create) throws IOException {
        return Confined.open(real, names, create);
    }

    static String quote(String s) {
        String shown = s.length() > 200 ? s.substring(0, 200) + "…" : s;
        return "\"" + shown.replace("\0", "\\0") + "\"";
    }
}
