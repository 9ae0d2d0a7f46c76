package dev.agentrt.core.internal.fs;

import org.jspecify.annotations.Nullable;

import java.nio.file.attribute.BasicFileAttributes;

/** The checks every {@link Dir} makes on an entry before opening it, with the messages a model reads. */
public final class Entries {
    private Entries() {}

    static final String NO_LINKS = "symbolic links are not followed";

    static ConfinementException link(String shown) {
        return ConfinementException.denied(shown + " is a symbolic link; " + NO_LINKS + ".");
    }

    static ConfinementException swapped(String shown) {
        return ConfinementException.denied(shown + " changed while it was being opened (a symbolic link or another "
                + "kind of file appeared); " + NO_LINKS + ". The call was refused.");
    }

    /** Fails unless {@code a} describes a directory that is not a link. */
    public static void requireDirectory(@Nullable BasicFileAttributes a, String shown) throws ConfinementException {
        if (a == null) {
            throw ConfinementException.invalid("no such directory: " + shown);
        }
        if (a.isSymbolicLink()) {
            throw link(shown);
        }
        if (!a.isDirectory()) {
            throw ConfinementException.invalid(shown + " is not a directory");
        }
    }

    /** Fails unless {@code a} describes a regular file that is not a link. */
    public static void requireFile(@Nullable BasicFileAttributes a, String shown) throws ConfinementException {
        if (a == null) {
            throw ConfinementException.invalid("no such file: " + shown);
        }
        if (a.isSymbolicLink()) {
            throw link(shown);
        }
        if (a.isDirectory()) {
            throw ConfinementException.invalid(shown + " is a directory, not a file");
        }
        if (!a.isRegularFile()) {
            throw ConfinementException.invalid(shown + " is not a regular file");
        }
    }

    /** {@code link}, {@code dir}, {@code file} or {@code other}. */
    public static String kind(BasicFileAttributes a) {
        if (a.isSymbolicLink()) {
            return "link";
        }
        if (a.isDirectory()) {
            return "dir";
        }
        return a.isRegularFile() ? "file" : "other";
    }
}
