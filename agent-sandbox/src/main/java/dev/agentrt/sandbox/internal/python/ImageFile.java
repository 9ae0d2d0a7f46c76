package dev.agentrt.sandbox.internal.python;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * An {@link InterpreterImage} kept in a file, so that a new JVM's first Python run does not pay CPython's start
 * either. The file names what it was taken from (a key: the interpreter module's artifact and the guest script),
 * and is read only when the key matches; zlib's checksum covers the body, and every count is checked against
 * its bound before anything is allocated, so a damaged, truncated or foreign file is refused (the caller then
 * starts CPython in full and writes a new file). Written to a temporary file and moved into place, so a reader
 * never sees half a file. The directory is the application's own (a configuration, never a path a model or a
 * tool names).
 *
 * <p>A forged file can only change what the interpreter inside the sandbox does, which is the untrusted side
 * anyway: it runs under the same limits and file grants, with no more authority.
 */
final class ImageFile {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFile.class);
    private static final int MAGIC = 0x50594d47; // "PYMG"
    private static final int FORMAT = 1;
    private static final int MAX_GLOBALS = 1 << 12;
    private static final int MAX_TABLES = 16;
    private static final int MAX_TABLE_SIZE = 1 << 20;

    private ImageFile() {}

    /**
     * The image {@code file} holds for {@code key}, of at most {@code maxPages} pages of memory (the sandbox's
     * cap, which also bounds what reading may allocate); null when it is absent, for another key, larger, or
     * damaged.
     */
    static @Nullable InterpreterImage read(Path file, String key, int maxPages) {
        try (InputStream raw = Files.newInputStream(file);
                var in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                LOG.warn("{} is not a Python interpreter image of this version; CPython starts in full", file);
                return null;
            }
            if (!key.equals(in.readUTF())) {
                LOG.info("{} was taken from another interpreter build; CPython starts in full", file);
                return null;
            }
            Inflater inflater = new Inflater();
            try {
                var body = new DataInputStream(new InflaterInputStream(in, inflater, 1 << 16));
                InterpreterImage image = readBody(body, maxPages);
                if (body.read() != -1 || !inflater.finished() || inflater.getRemaining() != 0 || in.read() != -1) {
                    throw new IOException("data after the image");
                }
                return image;
            } finally {
                inflater.end();
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read the Python interpreter image {}: {}; CPython starts in full", file, e.toString());
            return null;
        }
    }

    /** Writes {@code image} for {@code key} to {@code file}, replacing it whole; throws when it cannot. */
    static void write(Path file, String key, InterpreterImage image) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream raw = Files.newOutputStream(temp);
                    var out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeInt(FORMAT);
                out.writeUTF(key);
                Deflater deflater = new Deflater(Deflater.BEST_SPEED);
                try {
                    var deflating = new DeflaterOutputStream(out, deflater, 1 << 16);
                    var body = new DataOutputStream(deflating);
                    writeBody(body, image);
                    body.flush();
                    deflating.finish();
                } finally {
                    deflater.end();
                }
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeBody(DataOutputStream out, InterpreterImage image) throws IOException {
        out.writeInt(image.pages());
        int[] indexes = image.globalIndexes();
        out.writeInt(indexes.length);
        for (int i = 0; i < indexes.length; i++) {
            out.writeInt(indexes[i]);
            out.writeLong(image.globalLow()[i]);
            out.writeLong(image.globalHigh()[i]);
        }
        int[][] tables = image.tables();
        out.writeInt(tables.length);
        for (int[] table : tables) {
            out.writeInt(table.length);
            for (int ref : table) {
                out.writeInt(ref);
            }
        }
        byte[] memory = image.memory();
        out.writeInt(memory.length);
        out.write(memory);
    }

    private static InterpreterImage readBody(DataInputStream in, int maxPages) throws IOException {
        int pages = bounded(in.readInt(), Math.min(maxPages, 32_767), "pages");
        int globals = bounded(in.readInt(), MAX_GLOBALS, "globals");
        int[] indexes = new int[globals];
        long[] low = new long[globals];
        long[] high = new long[globals];
        for (int i = 0; i < globals; i++) {
            indexes[i] = bounded(in.readInt(), MAX_GLOBALS, "a global's index");
            low[i] = in.readLong();
            high[i] = in.readLong();
        }
        int[][] tables = new int[bounded(in.readInt(), MAX_TABLES, "tables")][];
        for (int t = 0; t < tables.length; t++) {
            tables[t] = new int[bounded(in.readInt(), MAX_TABLE_SIZE, "a table's size")];
            for (int i = 0; i < tables[t].length; i++) {
                tables[t][i] = in.readInt();
            }
        }
        // At most the memory's whole size (under 2 GiB: fewer than 32,768 pages of 64 KiB).
        byte[] memory = new byte[bounded(in.readInt(), (long) pages << 16, "the memory's length")];
        try {
            in.readFully(memory);
        } catch (EOFException e) {
            throw new IOException("the image's memory is cut short", e);
        }
        return InterpreterImage.of(pages, memory, indexes, low, high, tables);
    }

    private static int bounded(int value, long most, String what) throws IOException {
        if (value < 0 || value > most) {
            throw new IOException(what + " out of bounds: " + value);
        }
        return value;
    }
}
