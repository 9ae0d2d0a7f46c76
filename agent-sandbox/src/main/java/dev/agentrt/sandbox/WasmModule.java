package dev.agentrt.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The bytes of a WebAssembly module (binary format), named by their SHA-256. Cheap to create and to
 * share: nothing is parsed or compiled until a {@link Sandbox} first runs it, and the sandbox then
 * keeps the compiled form under {@link #digest()}, so two {@code WasmModule}s with the same bytes
 * share one compilation.
 *
 * <pre>{@code
 * WasmModule module = WasmModule.read(Path.of("tool.wasm"));
 * RunResult result = sandbox.run(module, RunRequest.builder().args("--help").build()).block();
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link #read} blocks on file I/O; {@link #of} does not.
 */
public final class WasmModule {
    private final byte[] bytes;
    private final String digest;

    private WasmModule(byte[] bytes) {
        this.bytes = bytes;
        this.digest = sha256(bytes);
    }

    /** A module from its binary bytes (copied). Validation happens when it first runs. */
    public static WasmModule of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new IllegalArgumentException("bytes: a WebAssembly module cannot be empty");
        }
        return new WasmModule(bytes.clone());
    }

    /** Reads a {@code .wasm} file. Blocks. */
    public static WasmModule read(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            return of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read WebAssembly module " + file, e);
        }
    }

    /** Lower-case hex SHA-256 of the bytes: the compile cache's key. */
    public String digest() {
        return digest;
    }

    public int size() {
        return bytes.length;
    }

    /** The shared array; callers in this package never write to it. */
    byte[] bytesUnsafe() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WasmModule m && m.digest.equals(digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "WasmModule[" + digest.substring(0, 12) + ", " + bytes.length + " bytes]";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
