package dev.agentrt.tools.internal.mcp;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Writes newline-delimited messages to a stream on one daemon platform thread of its own, so that
 * callers on Reactor threads only enqueue: {@link #send} never blocks. Messages go out in the order
 * they were sent, flushed whenever the queue runs dry. {@link #finish()} writes what is queued and
 * then ends the thread; a write that fails ends it too and is reported once. Thread-safe.
 */
final class LineWriter {
    private final OutputStream out;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    /** The messages queued and not yet written. */
    private final AtomicInteger backlog = new AtomicInteger();
    private final AtomicBoolean finishing = new AtomicBoolean();
    private final Thread thread;
    private final Consumer<IOException> onFailure;
    private final Runnable onFinished;
    private volatile boolean failed;

    /**
     * @param onFailure called once, on the writer thread, if writing fails (the peer stopped reading)
     * @param onFinished called once on the writer thread when it ends, after a failure too
     */
    LineWriter(String threadName, OutputStream out, Consumer<IOException> onFailure, Runnable onFinished) {
        this.out = out;
        this.onFailure = onFailure;
        this.onFinished = onFinished;
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Queues one message (a line without terminator); false if the writer has finished or failed. */
    boolean send(String line) {
        if (finishing.get() || failed) {
            return false;
        }
        backlog.incrementAndGet();
        queue.add(line);
        LockSupport.unpark(thread);
        return true;
    }

    /** How many messages are queued and not yet written: a peer that stops reading lets it grow. */
    int backlog() {
        return backlog.get();
    }

    /** Writes what is queued, then ends; messages sent afterwards are dropped. Idempotent. */
    void finish() {
        finishing.set(true);
        LockSupport.unpark(thread);
    }

    private void run() {
        boolean dirty = false;
        try {
            while (true) {
                String line = queue.poll();
                if (line == null) {
                    if (dirty) {
                        flush();
                        dirty = false;
                    }
                    if (finishing.get() && queue.isEmpty()) {
                        return;
                    }
                    LockSupport.park(this);
                    continue;
                }
                backlog.decrementAndGet();
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                dirty = true;
            }
        } catch (IOException e) {
            failed = true;
            queue.clear();
            onFailure.accept(e);
        } finally {
            onFinished.run();
        }
    }

    private void flush() throws IOException {
        out.flush();
        // System.out swallows write errors; without this check a client that stopped reading would go unnoticed.
        if (out instanceof PrintStream ps && ps.checkError()) {
            throw new IOException("the output stream is broken");
        }
    }
}
