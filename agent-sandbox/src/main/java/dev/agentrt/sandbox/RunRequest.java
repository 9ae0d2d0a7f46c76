package dev.agentrt.sandbox;

import dev.agentrt.core.security.Grants;
import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one run of a module gets: arguments, stdin, environment, mounted directories and the grants
 * that decide which host files are copied in and out. By default a run calls the WASI command
 * entry {@code _start}; {@link Builder#call} calls a named export of a reactor module instead (after
 * its {@code _initialize}, if it has one).
 *
 * <pre>{@code
 * RunRequest request = RunRequest.builder()
 *     .args("report.csv")
 *     .stdin("hello")
 *     .env("LANG", "C")
 *     .mount(Mount.readOnly(project, "/src"))
 *     .mount(Mount.readWrite(out, "/out"))
 *     .grants(Grants.of(Capability.fileRead(project), Capability.fileWrite(out)))
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; the builder is not.
 */
public final class RunRequest {
    private final List<String> args;
    private final byte[] stdin;
    private final Map<String, String> env;
    private final List<Mount> mounts;
    private final Grants grants;
    private final @Nullable String export;
    private final List<Long> exportArgs;

    private RunRequest(Builder b) {
        this.args = List.copyOf(b.args);
        this.stdin = b.stdin.clone();
        this.env = Map.copyOf(b.env);
        this.mounts = List.copyOf(b.mounts);
        this.grants = b.grants;
        this.export = b.export;
        this.exportArgs = List.copyOf(b.exportArgs);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A command run with no arguments, no input, nothing mounted. */
    public static RunRequest empty() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.args.addAll(args);
        b.stdin = stdin;
        b.env.putAll(env);
        b.mounts.addAll(mounts);
        b.grants = grants;
        b.export = export;
        b.exportArgs.addAll(exportArgs);
        return b;
    }

    /** The arguments after {@code argv[0]} (which the guest sees as {@code "main"}). */
    public List<String> args() {
        return args;
    }

    public byte[] stdin() {
        return stdin.clone();
    }

    public Map<String, String> env() {
        return env;
    }

    public List<Mount> mounts() {
        return mounts;
    }

    public Grants grants() {
        return grants;
    }

    /** The export to call instead of {@code _start}, or {@code null} for a command run. */
    public @Nullable String export() {
        return export;
    }

    public List<Long> exportArgs() {
        return exportArgs;
    }

    /** Builds a {@link RunRequest}; validated at {@link #build()}. */
    public static final class Builder {
        private final List<String> args = new ArrayList<>();
        private byte[] stdin = new byte[0];
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<Mount> mounts = new ArrayList<>();
        private Grants grants = Grants.none();
        private @Nullable String export;
        private final List<Long> exportArgs = new ArrayList<>();

        private Builder() {}

        public Builder args(String... args) {
            return args(List.of(args));
        }

        public Builder args(List<String> args) {
            this.args.addAll(args);
            return this;
        }

        public Builder stdin(byte[] stdin) {
            this.stdin = Objects.requireNonNull(stdin, "stdin").clone();
            return this;
        }

        public Builder stdin(String stdin) {
            return stdin(Objects.requireNonNull(stdin, "stdin").getBytes(StandardCharsets.UTF_8));
        }

        /** One environment variable the guest sees. No variable of the host is passed otherwise. */
        public Builder env(String name, String value) {
            Objects.requireNonNull(name, "env name");
            Objects.requireNonNull(value, "env value");
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("env: '" + name + "' is not a valid variable name");
            }
            env.put(name, value);
            return this;
        }

        public Builder mount(Mount mount) {
            mounts.add(Objects.requireNonNull(mount, "mount"));
            return this;
        }

        /** What the run may read and write on the host (only file grants matter here). */
        public Builder grants(Grants grants) {
            this.grants = Objects.requireNonNull(grants, "grants");
            return this;
        }

        /** Calls {@code export} with integer arguments instead of running {@code _start}. */
        public Builder call(String export, long... args) {
            this.export = Objects.requireNonNull(export, "export");
            exportArgs.clear();
            for (long a : args) {
                exportArgs.add(a);
            }
            return this;
        }

        public RunRequest build() {
            var seen = new HashSet<String>();
            for (Mount m : mounts) {
                if (!seen.add(m.guestPath())) {
                    throw new IllegalArgumentException("mounts: two mounts at " + m.guestPath());
                }
            }
            for (String a : args) {
                if (a.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("args: an argument contains a NUL character");
                }
            }
            if (export != null && export.isBlank()) {
                throw new IllegalArgumentException("call: the export name is blank");
            }
            return new RunRequest(this);
        }
    }
}
