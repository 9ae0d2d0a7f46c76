package dev.agentrt.tools.internal.fs;

import org.jspecify.annotations.Nullable;

import java.nio.file.attribute.BasicFileAttributes;

/** The checks every {@link Dir} makes on an entry before opening it, with the messages the model reads. */
final class Entries {
    private Entries() {}

    static final String NO_LINKS = "symbolic links are not followed by the file-system tools";

    static FsException link(String shown) {
        return FsException.denied(shown + " is a symbolic link; " + NO_LINKS + ".");
    }

    static FsException swapped(String shown) {
        return FsException.denied(shown + " changed while it was being opened (a symbolic link or another kind of "
                + "file appeared); " + NO_LINKS + ". The call was refused.");
    }

    static void requireDirectory(@Nullable BasicFileAttributes a, String shown) {
        if (a == null) {
            throw FsException.invalid("no such directory: " + shown);
        }
        if (a.isSymbolicLink()) {
            throw link(shown);
        }
        if (!a.isDirectory()) {
            throw FsException.invalid(shown + " is not a directory");
        }
    }

    static void requireFile(@Nullable BasicFileAttributes a, String shown) {
        if (a == null) {
            throw FsException.invalid("no such file: " + shown);
        }
        if (a.isSymbolicLink()) {
            throw link(shown);
        }
        if (a.isDirectory()) {
            throw FsException.invalid(shown + " is a directory, not a file; use list_directory to see its entries");
        }
        if (!a.isRegularFile()) {
            throw FsException.invalid(shown + " is not a regular file");
        }
    }

    static String kind(BasicFileAttributes a) {
        if (a.isSymbolicLink()) {
            return "link";
        }
        if (a.isDirectory()) {
            return "dir";
        }
        return a.isRegularFile() ? "file" : "other";
    }
}
