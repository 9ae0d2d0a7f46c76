package dev.agentrt.memory;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * One step of {@link VectorMemory#index}: a file was indexed, found unchanged, skipped or removed. The counters say how
 * far the whole run is, for a progress bar.
 *
 * @param status what happened to this file
 * @param path the file, relative to the context root
 * @param reason why a file was skipped ({@code "not UTF-8 text"}, …), else {@code null}
 * @param filesDone files handled so far, this one included
 * @param filesTotal files of the context (text and skipped), plus files removed since the last run
 * @param chunksDone chunks embedded and stored so far
 * @param chunksTotal chunks to embed in this run (those of new and changed files)
 */
public record IngestProgress(Status status, String path, @Nullable String reason, int filesDone, int filesTotal,
        long chunksDone, long chunksTotal) {

    public IngestProgress {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(path, "path");
    }

    /** What happened to one file. */
    public enum Status {
        /** New or changed: chunked, embedded and stored (its old chunks replaced). */
        INDEXED,
        /** The same content as when it was last indexed: nothing done. */
        UNCHANGED,
        /** Not text (binary, not UTF-8), too large or unreadable: not indexed; see {@link IngestProgress#reason()}. */
        SKIPPED,
        /** Gone from the context since it was indexed: its chunks were deleted. */
        REMOVED
    }

    /** Whether every file has been handled. */
    public boolean finished() {
        return filesDone == filesTotal;
    }
}
