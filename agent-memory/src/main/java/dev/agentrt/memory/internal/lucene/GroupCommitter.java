package dev.agentrt.memory.internal.lucene;

import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.SearcherManager;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit. A write applies its changes to the writer (getting Lucene sequence numbers), then
 * waits here until a commit covers its last sequence number. One commit runs at a time; writes that
 * arrive while it runs queue on the lock, and the first of them commits for all (a commit covers
 * every operation applied before it starts), so N concurrent writers cost about two commits, not
 * N. Each commit refreshes the searcher before anyone is released, so a write's completion implies
 * that searches see it. If a commit fails, its caller gets the error and the next waiter tries again.
 */
final class GroupCommitter {
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ReentrantLock lock = new ReentrantLock();
    private long durableSeqNo = -1; // guarded by lock
    private long commits; // guarded by lock

    GroupCommitter(IndexWriter writer, SearcherManager searchers) {
        this.writer = writer;
        this.searchers = searchers;
    }

    /** Returns once every operation up to {@code seqNo} is committed and visible to searches. */
    void awaitDurable(long seqNo) throws IOException {
        lock.lock();
        try {
            if (seqNo <= durableSeqNo) {
                return;
            }
            long committed = writer.commit();
            commits++;
            searchers.maybeRefreshBlocking();
            durableSeqNo = Math.max(durableSeqNo, committed);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code action} while no commit runs (used by close). */
    void exclusively(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    long commits() {
        lock.lock();
        try {
            return commits;
        } finally {
            lock.unlock();
        }
    }
}
