package dev.agentrt.sandbox.internal.python;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DeflaterOutputStream;

/** Image files: what is written is read back whole; anything else is refused, never half-used. */
class ImageFileTest {
    private static final String KEY = "io.trino.wasm.python.Python 3.13-8 guest abc";

    @TempDir
    Path dir;

    private static InterpreterImage image() {
        byte[] memory = new byte[70_000];
        new Random(7).nextBytes(memory);
        return InterpreterImage.of(2, memory, new int[]{0, 3}, new long[]{65_536, -1}, new long[]{0, 0},
                new int[][]{{0, 5, 9, 2}, {}});
    }

    @Test
    void whatIsWrittenIsReadBackWhole() throws IOException {
        Path file = dir.resolve("python.image");
        InterpreterImage written = image();
        ImageFile.write(file, KEY, written);

        InterpreterImage read = ImageFile.read(file, KEY, 1024);
        assertThat(read).isNotNull();
        assertThat(read.fromFile()).isTrue();
        assertThat(read.pages()).isEqualTo(2);
        assertThat(read.memory()).isEqualTo(written.memory());
        assertThat(read.globalIndexes()).containsExactly(0, 3);
        assertThat(read.globalLow()).containsExactly(65_536, -1);
        assertThat(read.globalHigh()).containsExactly(0, 0);
        assertThat(read.tables()).isDeepEqualTo(new int[][]{{0, 5, 9, 2}, {}});
        try (var left = Files.list(dir)) {
            assertThat(left).as("no temporary file left").containsExactly(file);
        }
    }

    @Test
    void aFileForAnotherBuildIsNotUsed() throws IOException {
        Path file = dir.resolve("python.image");
        ImageFile.write(file, KEY, image());
        assertThat(ImageFile.read(file, KEY + " changed", 1024)).isNull();
    }

    @Test
    void aMissingFileIsNoImage() {
        assertThat(ImageFile.read(dir.resolve("absent.image"), KEY, 1024)).isNull();
    }

    @Test
    void everyCutOfTheFileIsRefused() throws IOException {
        Path file = dir.resolve("python.image");
        ImageFile.write(file, KEY, image());
        byte[] whole = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.image");
        for (int length = 0; length < whole.length; length += Math.max(1, whole.length / 97)) {
            Files.write(cut, Arrays.copyOf(whole, length));
            assertThat(ImageFile.read(cut, KEY, 1024)).as("cut at %d of %d", length, whole.length).isNull();
        }
    }

    @Test
    void aChangedByteAnywhereIsRefused() throws IOException {
        Path file = dir.resolve("python.image");
        ImageFile.write(file, KEY, image());
        byte[] whole = Files.readAllBytes(file);
        Path changed = dir.resolve("changed.image");
        for (int at = 0; at < whole.length; at += Math.max(1, whole.length / 101)) {
            byte[] copy = whole.clone();
            copy[at] ^= 0x5a;
            Files.write(changed, copy);
            assertThat(ImageFile.read(changed, KEY, 1024)).as("byte %d of %d changed", at, whole.length).isNull();
        }
    }

    @Test
    void dataAfterTheImageIsRefused() throws IOException {
        Path file = dir.resolve("python.image");
        ImageFile.write(file, KEY, image());
        Files.write(file, new byte[]{1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        assertThat(ImageFile.read(file, KEY, 1024)).isNull();
    }

    @Test
    void anImageLargerThanTheCapIsRefusedBeforeItsMemoryIsRead() throws IOException {
        Path file = dir.resolve("python.image");
        ImageFile.write(file, KEY, image());
        assertThat(ImageFile.read(file, KEY, 1)).as("2 pages over a 1-page cap").isNull();
    }

    @Test
    void countsOutOfBoundsAreRefusedWithoutAllocatingThem() throws IOException {
        // A well-formed file whose body claims a memory of 2^31 - 1 bytes, 1,000,000 globals or a table of
        // 2^30 entries: each is refused on its count, and the read allocates nothing near those sizes.
        for (int[] header : new int[][]{
                {16, 0, 0, Integer.MAX_VALUE}, {16, 1_000_000}, {16, 0, 1, 1 << 30}, {16, 0, 100}, {-1}}) {
            Path file = dir.resolve("hostile.image");
            var bytes = new ByteArrayOutputStream();
            try (var out = new DataOutputStream(bytes)) {
                out.writeInt(0x50594d47);
                out.writeInt(1);
                out.writeUTF(KEY);
                var body = new DataOutputStream(new DeflaterOutputStream(out));
                for (int value : header) {
                    body.writeInt(value);
                }
                body.close();
            }
            Files.write(file, bytes.toByteArray());
            assertThat(ImageFile.read(file, KEY, 1024)).as(Arrays.toString(header)).isNull();
        }
    }

    @Test
    void aFileOfSomethingElseIsRefused() throws IOException {
        Path file = dir.resolve("python.image");
        Files.writeString(file, "not an image at all");
        assertThat(ImageFile.read(file, KEY, 1024)).isNull();
        Files.write(file, new byte[0]);
        assertThat(ImageFile.read(file, KEY, 1024)).isNull();
    }
}
