package dev.agentrt.sandbox.internal;

import org.jspecify.annotations.Nullable;
import run.endive.runtime.ByteArrayMemory;
import run.endive.runtime.Instance;
import run.endive.runtime.Memory;
import run.endive.wasm.types.DataSegment;
import run.endive.wasm.types.MemoryLimits;

/**
 * A linear memory that refuses to grow past the sandbox's cap
 * ({@link dev.agentrt.sandbox.SandboxLimits#maxMemoryPages()}), for every runtime (WASI modules,
 * plugins, QuickJS, CPython). A refused grow ends the run (as {@code MEMORY_LIMIT}) instead of
 * returning -1: a guest whose allocator fails mostly traps or spins in retries anyway, and the
 * caller learns exactly why it stopped. It stops the guest through its {@link RunGuard} and throws.
 * A grow the module's own declared maximum forbids still returns -1, as the specification says.
 * Made by the engine's memory factory, maybe before the run is known (a pooled interpreter), so the
 * run's guard is {@link #bind bound} when the run starts.
 */
public final class CappedMemory implements Memory {
    private final ByteArrayMemory delegate;
    private final int capPages;
    private final int declaredMaxPages;
    private volatile @Nullable RunGuard guard;

    private CappedMemory(MemoryLimits declared, int capPages) {
        this.capPages = capPages;
        this.declaredMaxPages = declared.maximumPages();
        this.delegate = new ByteArrayMemory(new MemoryLimits(declared.initialPages(),
                Math.min(declared.maximumPages(), capPages), declared.shared()));
    }

    /** A memory for {@code declared} under a cap of {@code capPages}; throws {@link MemoryCapExceeded} when even the initial size is over it. */
    public static CappedMemory of(MemoryLimits declared, int capPages) {
        if (declared.initialPages() > capPages) {
            throw MemoryCapExceeded.initial(declared.initialPages(), capPages);
        }
        return new CappedMemory(declared, capPages);
    }

    /** The run this memory's guest belongs to. */
    public void bind(RunGuard guard) {
        this.guard = guard;
    }

    /** Whether the memory is within a few pages of the most it may grow to (allocators grow in steps). */
    public boolean nearlyFull() {
        return delegate.pages() + 16 >= delegate.maximumPages();
    }

    @Override
    public int grow(int size) {
        int before = delegate.pages();
        int result = delegate.grow(size);
        if (result < 0) {
            long wanted = (long) before + Integer.toUnsignedLong(size);
            if (wanted > capPages && wanted <= declaredMaxPages) {
                RunGuard g = guard;
                if (g != null) {
                    g.stop(RunGuard.Stop.MEMORY_LIMIT);
                }
                throw MemoryCapExceeded.grow(wanted, capPages);
            }
        }
        return result;
    }

    @Override
    public int pages() {
        return delegate.pages();
    }

    @Override
    public int initialPages() {
        return delegate.initialPages();
    }

    @Override
    public int maximumPages() {
        return delegate.maximumPages();
    }

    @Override
    public boolean shared() {
        return delegate.shared();
    }

    @Override
    @SuppressWarnings("removal")
    public Object lock(int address) {
        return delegate.lock(address);
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, int expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, long expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    @SuppressWarnings("removal")
    public int notify(int address, int maxThreads) {
        return delegate.notify(address, maxThreads);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        delegate.initialize(instance, dataSegments);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        delegate.initialize(instance, dataSegments, memoryIndex);
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        delegate.initPassiveSegment(segmentId, dest, offset, size);
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        delegate.write(addr, data, offset, size);
    }

    @Override
    public byte read(int addr) {
        return delegate.read(addr);
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        return delegate.readBytes(addr, len);
    }

    @Override
    public void writeI32(int addr, int data) {
        delegate.writeI32(addr, data);
    }

    @Override
    public int readInt(int addr) {
        return delegate.readInt(addr);
    }

    @Override
    public void writeLong(int addr, long data) {
        delegate.writeLong(addr, data);
    }

    @Override
    public long readLong(int addr) {
        return delegate.readLong(addr);
    }

    @Override
    public void writeShort(int addr, short data) {
        delegate.writeShort(addr, data);
    }

    @Override
    public short readShort(int addr) {
        return delegate.readShort(addr);
    }

    @Override
    public long readU16(int addr) {
        return delegate.readU16(addr);
    }

    @Override
    public void writeByte(int addr, byte data) {
        delegate.writeByte(addr, data);
    }

    @Override
    public void writeF32(int addr, float data) {
        delegate.writeF32(addr, data);
    }

    @Override
    public long readF32(int addr) {
        return delegate.readF32(addr);
    }

    @Override
    public float readFloat(int addr) {
        return delegate.readFloat(addr);
    }

    @Override
    public void writeF64(int addr, double data) {
        delegate.writeF64(addr, data);
    }

    @Override
    public double readDouble(int addr) {
        return delegate.readDouble(addr);
    }

    @Override
    public long readF64(int addr) {
        return delegate.readF64(addr);
    }

    @Override
    public void zero() {
        delegate.zero();
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        delegate.fill(value, fromIndex, toIndex);
    }

    @Override
    public void copy(int dest, int src, int size) {
        delegate.copy(dest, src, size);
    }

    @Override
    public void drop(int segment) {
        delegate.drop(segment);
    }
}
