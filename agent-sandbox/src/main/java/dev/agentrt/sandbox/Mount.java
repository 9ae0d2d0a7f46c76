package dev.agentrt.sandbox;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host directory shown to the guest at {@code guestPath}. Nothing of the host is mounted for
 * real: before the run the files the task's grants let it read ({@code FileRead}) are copied into
 * the run's in-memory file system; after a run that ended {@link RunOutcome#OK}, for a writable
 * mount, each file the guest created or changed is copied back to the host only if a
 * {@code FileWrite} grant covers that exact target. A run that ended any other way writes nothing
 * to the host. Deletions and symbolic links never reach the host.
 *
 * @param host the host directory (need not exist for a writable mount: it is then created on copy-back)
 * @param guestPath absolute path the guest sees, e.g. {@code /data}; one level, no {@code ..}
 * @param writable whether the guest may change the mount; a read-only mount refuses writes with
 *     {@code EROFS} inside the guest, whatever the grants say
 */
public record Mount(Path host, String guestPath, boolean writable) {
    public Mount {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(guestPath, "guestPath");
        if (!guestPath.matches("/[A-Za-z0-9._-]+") || guestPath.equals("/.") || guestPath.equals("/..")) {
            throw new IllegalArgumentException(
                    "guestPath must be one absolute path element such as /data, was '" + guestPath + "'");
        }
    }

    public static Mount readOnly(Path host, String guestPath) {
        return new Mount(host, guestPath, false);
    }

    public static Mount readWrite(Path host, String guestPath) {
        return new Mount(host, guestPath, true);
    }
}
