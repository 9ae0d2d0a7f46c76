package dev.agentrt.sandbox.internal.python;

import org.jspecify.annotations.Nullable;
import run.endive.runtime.GlobalInstance;
import run.endive.runtime.Instance;
import run.endive.runtime.Memory;
import run.endive.runtime.TableInstance;
import run.endive.wasm.types.MutabilityType;
import run.endive.wasm.types.ValType;

import java.util.Arrays;

/**
 * The state of a CPython interpreter that has just been started and has imported the guest script, before any
 * run's code: its linear memory and its mutable globals. A new instance of the same module given this state is
 * the same interpreter, without the seconds CPython's start costs: a fork of a process that has run nothing yet,
 * so each run still begins from the same clean state, and nothing one run does reaches another.
 *
 * <p>Taken only from an interpreter that has run {@code setup} and nothing else. What lives outside the
 * instance is rebuilt for each run exactly as the first one was built: the WASI host (the same preopen and
 * standard streams, nothing else is left open by {@code setup}), the in-memory file system holding the guest
 * script. Tables are not copied: CPython fills them from the module's element segments and never changes them;
 * {@link #restore} checks that the new instance's tables are what they were when the image was taken and
 * refuses otherwise. State CPython derives from randomness at start (the {@code random} module's seed, the
 * string hash secret) would be the same in every run; {@code guest.py} reseeds {@code random} from the host's
 * randomness at the start of each run; the hash secret stays shared, which only decides dictionary order of
 * nothing a run can observe across runs. Immutable, shared by the runs of one runner.
 */
final class InterpreterImage {
    private final int pages;
    /** The memory up to its last non-zero byte; the rest of {@link #pages} is zero. */
    private final byte[] memory;
    private final int[] globalIndexes;
    private final long[] globalLow;
    private final long[] globalHigh;
    private final int[][] tables;
    private final boolean fromFile;

    private InterpreterImage(int pages, byte[] memory, int[] globalIndexes, long[] globalLow, long[] globalHigh,
            int[][] tables, boolean fromFile) {
        this.fromFile = fromFile;
        this.pages = pages;
        this.memory = memory;
        this.globalIndexes = globalIndexes;
        this.globalLow = globalLow;
        this.globalHigh = globalHigh;
        this.tables = tables;
    }

    /**
     * The image of {@code instance}, which must have run {@code setup} and nothing else; null when its state
     * cannot be held this way (a mutable reference global, a table of references that are not function
     * indexes).
     */
    static @Nullable InterpreterImage of(Instance instance) {
        int count = instance.globalCount();
        int[] indexes = new int[count];
        long[] low = new long[count];
        long[] high = new long[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            GlobalInstance g = instance.global(i);
            if (g.getMutabilityType() != MutabilityType.Var) {
                continue;
            }
            if (!g.getType().isNumeric()) {
                return null;
            }
            indexes[n] = i;
            low[n] = g.getValueLow();
            high[n] = g.getValueHigh();
            n++;
        }
        int[][] tables = new int[instance.tableCount()][];
        for (int t = 0; t < tables.length; t++) {
            tables[t] = refs(instance.table(t));
            if (tables[t] == null) {
                return null;
            }
        }
        Memory m = instance.memory();
        int size = Memory.bytes(m.pages());
        byte[] all = m.readBytes(0, size);
        int end = all.length;
        while (end > 0 && all[end - 1] == 0) {
            end--;
        }
        return new InterpreterImage(m.pages(), Arrays.copyOf(all, end), Arrays.copyOf(indexes, n),
                Arrays.copyOf(low, n), Arrays.copyOf(high, n), tables, false);
    }

    /**
     * Makes {@code fresh}, a new instance of the same module that has run nothing, the interpreter this image
     * holds. Throws {@link Mismatch} when the new instance's tables differ from the image's (nothing of the
     * image is then applied), or whatever the memory throws when it may not grow to the image's size (a cap
     * below it).
     */
    void restore(Instance fresh) {
        if (fresh.tableCount() != tables.length) {
            throw new Mismatch("the module has " + fresh.tableCount() + " tables, the image " + tables.length);
        }
        for (int t = 0; t < tables.length; t++) {
            if (!Arrays.equals(refs(fresh.table(t)), tables[t])) {
                throw new Mismatch("table " + t + " differs from the image's");
            }
        }
        for (int index : globalIndexes) {
            if (index >= fresh.globalCount() || fresh.global(index).getMutabilityType() != MutabilityType.Var
                    || !fresh.global(index).getType().isNumeric()) {
                throw new Mismatch("global " + index + " is not a mutable number in the module");
            }
        }
        Memory m = fresh.memory();
        if (pages < m.pages()) {
            throw new Mismatch("the image's " + pages + " pages are fewer than the module's " + m.pages());
        }
        int grow = pages - m.pages();
        if (grow > 0 && m.grow(grow) < 0) {
            throw new Mismatch("the memory cannot grow to the image's " + pages + " pages");
        }
        // A fresh memory holds the module's data segments, all within its initial pages; the image's bytes
        // overwrite them, and what lies between the image's last non-zero byte and the end of the initial pages
        // is cleared. Pages grown beyond those start zero.
        m.write(0, memory, 0, memory.length);
        int clearTo = Math.min(Memory.bytes(m.pages()), Memory.bytes(m.initialPages()));
        if (clearTo > memory.length) {
            m.write(memory.length, new byte[clearTo - memory.length], 0, clearTo - memory.length);
        }
        for (int i = 0; i < globalIndexes.length; i++) {
            GlobalInstance g = fresh.global(globalIndexes[i]);
            g.setValueLow(globalLow[i]);
            g.setValueHigh(globalHigh[i]);
        }
    }

    /** The image an {@link ImageFile} held; the arrays are its own from now on. */
    static InterpreterImage of(int pages, byte[] memory, int[] globalIndexes, long[] globalLow, long[] globalHigh,
            int[][] tables) {
        if (globalIndexes.length != globalLow.length || globalLow.length != globalHigh.length) {
            throw new IllegalArgumentException("globals of different lengths");
        }
        if (memory.length > (long) pages << 16) {
            throw new IllegalArgumentException("memory longer than " + pages + " pages");
        }
        return new InterpreterImage(pages, memory, globalIndexes, globalLow, globalHigh, tables, true);
    }

    /** Whether the image was read from a file rather than taken in this JVM. */
    boolean fromFile() {
        return fromFile;
    }

    /** The bytes of memory the image holds, for what a runner keeps. */
    long bytes() {
        return memory.length;
    }

    // For ImageFile, which writes them and nothing else: the arrays are not copied.

    int pages() {
        return pages;
    }

    byte[] memory() {
        return memory;
    }

    int[] globalIndexes() {
        return globalIndexes;
    }

    long[] globalLow() {
        return globalLow;
    }

    long[] globalHigh() {
        return globalHigh;
    }

    int[][] tables() {
        return tables;
    }

    private static int @Nullable [] refs(TableInstance table) {
        if (!ValType.FuncRef.equals(table.elementType())) {
            return null;
        }
        int[] refs = new int[table.size()];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = table.ref(i);
        }
        return refs;
    }

    /** The image does not fit the instance it was to be restored into. */
    static final class Mismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message, null, false, false);
        }
    }
}
