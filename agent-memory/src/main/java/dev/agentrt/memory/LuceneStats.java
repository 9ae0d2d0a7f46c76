package dev.agentrt.memory;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link LuceneVectorStore}'s index holds right now, from {@link LuceneVectorStore#stats()}: its entries and
 * its segments. Every commit writes a new small segment and background merges fold small segments into larger ones,
 * so the segment count rises with a burst of writes and falls as merges catch up; a search visits every segment (the
 * smallest ones by an exact scan, the others by their HNSW graph), so a count that stays high is worth knowing about.
 *
 * <pre>{@code
 * LuceneStats stats = store.stats().block();
 * log.info("{} entries in {} segments, {} MB", stats.entries(), stats.segments().size(), stats.sizeBytes() >> 20);
 * }</pre>
 *
 * @param entries live entries, in every namespace
 * @param deletedEntries entries deleted or replaced whose space a merge has not reclaimed yet
 * @param sizeBytes the segments' files on disk
 * @param segments largest first
 */
public record LuceneStats(long entries, long deletedEntries, long sizeBytes, List<Segment> segments) {
    public LuceneStats {
        segments = List.copyOf(segments);
    }

    /**
     * One segment of the index.
     *
     * @param name Lucene's name for it ({@code _0}, {@code _1a}...), stable until a merge replaces it
     * @param entries its live entries
     * @param deletedEntries its entries deleted or replaced since it was written
     * @param sizeBytes its files on disk
     */
    public record Segment(String name, int entries, int deletedEntries, long sizeBytes) {
        public Segment {
            Objects.requireNonNull(name, "name");
        }
    }
}
