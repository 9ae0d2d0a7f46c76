package dev.agentrt.memory;

import dev.agentrt.core.context.TaskContext;

import java.nio.file.Path;

/**
 * The process {@link VectorMemoryCrashTest} kills: indexes the directory {@code args[1]} into a memory at
 * {@code args[0]} and prints {@code ack <path> <chunksDone>} after each file is stored.
 */
public final class VectorMemoryIndexChild {
    private VectorMemoryIndexChild() {}

    public static void main(String[] args) {
        VectorMemory memory = VectorMemory.open(Path.of(args[0]));
        System.out.println("ready");
        System.out.flush();
        memory.index("code", TaskContext.fromDirectory(Path.of(args[1])))
                .doOnNext(p -> {
                    if (p.status() == IngestProgress.Status.INDEXED) {
                        System.out.println("ack " + p.path() + " " + p.chunksDone());
                        System.out.flush();
                    }
                })
                .blockLast();
        System.out.println("finished");
        System.out.flush();
    }
}
