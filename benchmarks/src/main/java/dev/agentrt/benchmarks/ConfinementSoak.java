package dev.agentrt.benchmarks;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.SandboxException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.Mount;
import dev.agentrt.sandbox.RunRequest;
import dev.agentrt.sandbox.RunResult;
import dev.agentrt.sandbox.Sandbox;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.WasmModule;
import dev.agentrt.tools.fs.FileSystemTools;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A soak of the file confinement layer (issue 14): racing loops, outside the test run. For each
 * surface a background thread keeps swapping two entries of a granted temp directory between what
 * they are and a symbolic link out of it: {@code f.txt} (a regular file, or a link to a secret file in
 * another temp directory) and {@code d} (a directory holding {@code f.txt}, or a link to a secret
 * directory holding an {@code f.txt} with the secret). Meanwhile the foreground calls one surface in a
 * loop, on {@code f.txt} and {@code d/f.txt} by turns, with grants for the granted directory only:
 * <ul>
 *   <li>{@code read_file}: the file tool through a {@link ToolRegistry};
 *   <li>{@code write_file}: the same, writing; every third write goes to a new directory below
 *       {@code d} ({@code d/nN/f.txt}), so that a directory is created while {@code d} swaps;
 *   <li>{@code javascript}: the code executor's {@code readFile} then {@code writeFile} in one run,
 *       the path declared for both, through a {@link ToolRegistry};
 *   <li>{@code wasi}: the sandbox's test command {@code guest.wasm} reading ({@code r3}) or writing
 *       ({@code w3}) the path in a read-write mount of the granted directory.
 * </ul>
 * Every operation counts as a success, a refusal ({@code PERMISSION_DENIED}, a {@code permission
 * denied} script error, a {@link SandboxException}, a copy-back listed in {@link RunResult#refused()}) or
 * something else (a file missing for a moment while it is swapped, a guest that found no file because
 * a link stays on the host: the first few are printed). A leak is the secret in anything a call
 * returned, a copy-back to a host path outside the granted directory, or any change in the outside
 * directory (a file changed or created, a directory created with something in it): the outside tree is
 * compared with its first state after every call and put back. An empty directory created outside is
 * the residual risk the confinement layer states (no {@code mkdirat} in the JDK) and is counted apart.
 *
 * <p>Arguments: surface ({@code read_file}, {@code write_file}, {@code javascript}, {@code wasi} or
 * {@code all}; default {@code all}), iterations per surface (default 2000), seconds per surface
 * (default 60): each surface stops at whichever bound comes first. One summary line per surface; the
 * exit status is 1 if anything leaked. The WASI surface reads {@code guest.wasm} from
 * {@code -Dagentrt.wasm.dir} (default {@code agent-sandbox/src/test/resources/wasm}: run from the
 * repository root). Temp directories are deleted at the end. Runs blocking calls on the main thread
 * and one swapper thread; not a benchmark, the counts are what it reports.
 */
public final class ConfinementSoak {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String INSIDE = "inside\n";
    private static final int SAMPLES = 5;

    private final String surface;
    private final Path granted;
    private final Path outside;
    private final Path secretFile;
    private final Path secretDir;
    private final String secret;
    private final Grants grants;
    private final Map<String, String> outsideAtStart;
    private long ops;
    private long successes;
    private long refusals;
    private long others;
    private long leaks;
    private long residual;
    private final List<String> otherSamples = new ArrayList<>();
    private final List<String> leakSamples = new ArrayList<>();

    private ConfinementSoak(String surface) throws IOException {
        this.surface = surface;
        this.granted = Files.createTempDirectory("soak-granted").toRealPath();
        this.outside = Files.createTempDirectory("soak-outside").toRealPath();
        this.secret = "SECRET-" + UUID.randomUUID();
        this.secretFile = Files.writeString(outside.resolve("secret.txt"), secret + "\n");
        this.secretDir = Files.createDirectory(outside.resolve("sub"));
        Files.writeString(secretDir.resolve("f.txt"), secret + "\n");
        Files.writeString(granted.resolve("f.txt"), INSIDE);
        Files.writeString(Files.createDirectory(granted.resolve("d")).resolve("f.txt"), INSIDE);
        this.grants = Grants.of(Capability.fileRead(granted), Capability.fileWrite(granted));
        this.outsideAtStart = snapshot(outside);
    }

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "all";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        List<String> all = List.of("read_file", "write_file", "javascript", "wasi");
        List<String> surfaces = which.equals("all") ? all : List.of(which);
        if (!all.containsAll(surfaces)) {
            System.err.println(
                    "usage: ConfinementSoak [read_file|write_file|javascript|wasi|all] [iterations] [seconds]");
            System.exit(2);
        }
        long leaked = 0;
        for (String s : surfaces) {
            ConfinementSoak soak = new ConfinementSoak(s);
            try {
                soak.run(iterations, Duration.ofSeconds(seconds));
            } finally {
                soak.deleteTempDirectories();
            }
            leaked += soak.leaks;
        }
        System.exit(leaked > 0 ? 1 : 0);
    }

    private void run(int iterations, Duration bound) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong swaps = new AtomicLong();
        AtomicLong swapFailures = new AtomicLong();
        Thread swapper = Thread.ofPlatform().name("soak-swapper").start(() -> {
            while (!stop.get()) {
                try {
                    fileToLink();
                    dirToLink();
                    Thread.yield();
                    fileToRegular();
                    dirToRegular();
                    Thread.yield();
                    swaps.incrementAndGet();
                } catch (IOException | UncheckedIOException e) {
                    // A write recreated or changed an entry between two steps: count it, start the cycle again.
                    swapFailures.incrementAndGet();
                }
            }
        });
        long start = System.nanoTime();
        int done = 0;
        try (Surface target = open()) {
            while (done < iterations && System.nanoTime() - start < bound.toNanos()) {
                String path = done % 2 == 0 ? "f.txt" : "d/f.txt";
                target.call(done, path);
                checkOutside();
                done++;
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        checkOutside();
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT,
                "%-10s iterations=%d ops=%d successes=%d refusals=%d other=%d LEAKS=%d residual-empty-dirs=%d"
                        + " swaps=%d swap-retries=%d seconds=%.1f%n",
                surface, done, ops, successes, refusals, others, leaks, residual, swaps.get(), swapFailures.get(),
                elapsed);
        for (String s : otherSamples) {
            System.out.println("    other: " + s);
        }
        for (String s : leakSamples) {
            System.out.println("    LEAK: " + s);
        }
    }

    /** One surface under test; {@link #close} releases what it started. */
    private interface Surface extends AutoCloseable {
        void call(int i, String path) throws Exception;

        @Override
        default void close() {}
    }

    private Surface open() {
        return switch (surface) {
            case "read_file" -> fileTool(false);
            case "write_file" -> fileTool(true);
            case "javascript" -> javascript();
            default -> wasi();
        };
    }

    private Surface fileTool(boolean write) {
        ToolRegistry tools = ToolRegistry.of(FileSystemTools.rootedAt(granted).tools());
        ToolExecution execution = ToolExecution.of("soak", Principal.ANONYMOUS, grants);
        return (i, path) -> {
            String p = write && i % 3 == 2 ? "d/n" + i + "/f.txt" : path;
            JsonObject args = write
                    ? JsonObject.builder().put("path", p).put("content", "written-" + i + "\n").build()
                    : JsonObject.builder().put("path", p).build();
            ToolCall call = new ToolCall("c" + i, write ? FileSystemTools.WRITE_FILE : FileSystemTools.READ_FILE,
                    args.toJson());
            ToolResult r = require(tools.execute(call, execution).block(WAIT));
            ops++;
            if (leakedSecret(r.content(), p)) {
                return;
            }
            if (!r.isError()) {
                successes++;
            } else if (r.errorKind() == ToolErrorKind.PERMISSION_DENIED) {
                refusals++;
            } else {
                other(p + ": " + r.errorKind() + " " + r.content());
            }
        };
    }

    private Surface javascript() {
        CodeExecutor executor = CodeExecutor.create(CodeExecutor.Options.DEFAULT
                .withLanguages(CodeExecutor.Language.JAVASCRIPT)
                .withLimits(SandboxLimits.DEFAULT.withTimeout(Duration.ofSeconds(30))));
        ToolRegistry tools = ToolRegistry.of(executor);
        ToolExecution execution = ToolExecution.of("soak", Principal.ANONYMOUS, grants);
        return new Surface() {
            @Override
            public void call(int i, String path) {
                String file = JsonValue.of(granted.resolve(path).toString()).toJson();
                String code = """
                        const out = [];
                        try { out.push({ok: true, value: readFile(%1$s)}); } catch (e) { out.push({ok: false, error: e.message}); }
                        try { writeFile(%1$s, %2$s); out.push({ok: true}); } catch (e) { out.push({ok: false, error: e.message}); }
                        out"""
                        .formatted(file, JsonValue.of("written-" + i + "\n").toJson());
                String args = """
                        {"language":"javascript","code":%s,"files":[{"path":%s,"access":"read"},{"path":%s,"access":"write"}]}"""
                        .formatted(JsonValue.of(code).toJson(), file, file);
                ToolResult r = require(tools.execute(new ToolCall("c" + i, CodeExecutor.NAME, args), execution)
                        .block(WAIT));
                ops += 2;
                if (leakedSecret(r.content(), path)) {
                    return;
                }
                if (r.errorKind() == ToolErrorKind.PERMISSION_DENIED) {
                    // The registry's check resolved the declared path to a link out of the grant.
                    refusals += 2;
                    return;
                }
                @Nullable
                JsonValue value = r.isError()
                        ? null
                        : ExecutionResult.fromJson(JsonValue.parse(r.content()).asObject()).value();
                if (value == null) {
                    // Both operations end as one other outcome: the run failed as a whole.
                    others++;
                    other(path + ": " + r.errorKind() + " " + r.content());
                    return;
                }
                for (JsonValue each : value.asArray().items()) {
                    JsonObject o = each.asObject();
                    if (o.getBoolean("ok").orElse(false)) {
                        successes++;
                    } else {
                        String error = o.getString("error").orElse("");
                        if (error.startsWith("permission denied")) {
                            refusals++;
                        } else {
                            others++;
                            sample(path + ": " + error);
                        }
                    }
                }
            }

            @Override
            public void close() {
                executor.close();
            }
        };
    }

    private Surface wasi() {
        Path dir = Path.of(System.getProperty("agentrt.wasm.dir", "agent-sandbox/src/test/resources/wasm"));
        WasmModule guest = WasmModule.read(dir.resolve("guest.wasm"));
        Sandbox sandbox = Sandbox.builder().limits(SandboxLimits.DEFAULT.withTimeout(Duration.ofSeconds(30))).build();
        return (i, path) -> {
            boolean write = (i / 2) % 2 == 1;
            RunRequest request = RunRequest.builder()
                    .args(write ? "w3" : "r3", path)
                    .stdin("written-" + i + "\n")
                    .mount(Mount.readWrite(granted, "/g"))
                    .grants(grants)
                    .build();
            ops++;
            RunResult r;
            try {
                r = require(sandbox.run(guest, request).block(WAIT));
            } catch (SandboxException | CapabilityDeniedException e) {
                if (!leakedSecret(String.valueOf(e.getMessage()), path)) {
                    refusals++;
                }
                return;
            } catch (RuntimeException e) {
                // Not one of the two failures Sandbox.run documents: counted and shown, the soak goes on.
                if (!leakedSecret(String.valueOf(e), path)) {
                    other(path + ": Sandbox.run failed with " + e);
                }
                return;
            }
            if (leakedSecret(r.stdout() + r.stderr(), path)) {
                return;
            }
            for (Path w : r.written()) {
                if (!w.toAbsolutePath().normalize().startsWith(granted)) {
                    leak(path + ": copied back to " + w);
                    return;
                }
            }
            if (!r.refused().isEmpty()) {
                refusals++;
            } else if (r.ok() && (write || r.stdout().startsWith("inside") || r.stdout().startsWith("written-"))) {
                successes++;
            } else {
                other(path + (write ? " (write): " : " (read): ") + r.outcome() + " stdout=" + r.stdout().strip());
            }
        };
    }

    private static <T> T require(@Nullable T value) {
        if (value == null) {
            throw new IllegalStateException("no result within " + WAIT);
        }
        return value;
    }

    private boolean leakedSecret(String returned, String path) {
        if (returned.contains(secret)) {
            leak(path + ": the secret was returned: " + returned.strip());
            return true;
        }
        return false;
    }

    private void leak(String what) {
        leaks++;
        if (leakSamples.size() < SAMPLES) {
            leakSamples.add(what);
        }
    }

    private void other(String what) {
        others++;
        sample(what);
    }

    private void sample(String what) {
        if (otherSamples.size() < SAMPLES) {
            otherSamples.add(what.length() > 300 ? what.substring(0, 300) + "..." : what);
        }
    }

    // --- the outside directory ---

    /** Relative path to content ({@code "<dir>"} for a directory, {@code "<link>"} for a link), links not followed. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    entries.put(rel, "<link>");
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(rel, "<dir>");
                } else {
                    entries.put(rel, new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                }
            }
        }
        return entries;
    }

    /** Compares the outside tree with its first state, counts what changed, and puts it back. */
    private void checkOutside() throws IOException {
        Map<String, String> now = snapshot(outside);
        if (now.equals(outsideAtStart)) {
            return;
        }
        List<String> extra = new ArrayList<>();
        boolean onlyEmptyDirectories = true;
        for (Map.Entry<String, String> e : now.entrySet()) {
            String before = outsideAtStart.get(e.getKey());
            if (before == null) {
                extra.add(e.getKey());
                if (!e.getValue().equals("<dir>")) {
                    onlyEmptyDirectories = false;
                }
            } else if (!before.equals(e.getValue())) {
                onlyEmptyDirectories = false;
            }
        }
        if (!now.keySet().containsAll(outsideAtStart.keySet())) {
            onlyEmptyDirectories = false;
        }
        String what = "outside changed: now " + now.keySet() + ", new " + extra;
        if (onlyEmptyDirectories) {
            residual++;
            sample("residual (empty directory outside): " + extra);
        } else {
            leak(what);
        }
        extra.sort(Comparator.reverseOrder());
        for (String rel : extra) {
            deleteTree(outside.resolve(rel));
        }
        Files.createDirectories(secretDir);
        Files.writeString(secretFile, secret + "\n");
        Files.writeString(secretDir.resolve("f.txt"), secret + "\n");
    }

    // --- the swapper: every step is a rename or a link made inside the granted directory ---

    private void fileToLink() throws IOException {
        Path link = granted.resolve(".swap-link");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, secretFile);
        Files.move(link, granted.resolve("f.txt"), StandardCopyOption.ATOMIC_MOVE);
    }

    private void fileToRegular() throws IOException {
        Path file = Files.writeString(granted.resolve(".swap-file"), INSIDE);
        Files.move(file, granted.resolve("f.txt"), StandardCopyOption.ATOMIC_MOVE);
    }

    private void dirToLink() throws IOException {
        Path d = granted.resolve("d");
        Path parked = granted.resolve(".parked-d");
        if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(parked);
            Files.move(d, parked, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.createSymbolicLink(d, secretDir);
        } catch (FileAlreadyExistsException e) {
            // write_file created the directory again in between; the next cycle moves it away.
        }
    }

    private void dirToRegular() throws IOException {
        Path d = granted.resolve("d");
        Path parked = granted.resolve(".parked-d");
        if (Files.isSymbolicLink(d)) {
            Files.delete(d);
        }
        if (Files.isDirectory(parked, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(parked);
            } else {
                Files.move(parked, d, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (!Files.exists(d.resolve("f.txt"), LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(d);
            Files.writeString(d.resolve("f.txt"), INSIDE);
        }
    }

    /** Deletes {@code root} and everything below it without following a link (a link itself is deleted). */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException e) {
                    // Gone already.
                }
            }
        }
    }

    private void deleteTempDirectories() throws IOException {
        deleteTree(granted);
        deleteTree(outside);
    }
}
