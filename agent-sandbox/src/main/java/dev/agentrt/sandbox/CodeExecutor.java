package dev.agentrt.sandbox;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.SandboxException;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.internal.HostTools;
import dev.agentrt.sandbox.internal.RunTimer;
import dev.agentrt.sandbox.internal.Runs;
import dev.agentrt.sandbox.internal.ToolWaitThreads;
import dev.agentrt.sandbox.internal.WarmUp;
import dev.agentrt.sandbox.internal.js.HostFiles;
import dev.agentrt.sandbox.internal.js.JsRunner;
import dev.agentrt.sandbox.internal.js.JsWarmUp;
import dev.agentrt.sandbox.internal.python.PythonFiles;
import dev.agentrt.sandbox.internal.python.PythonRunner;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code code_executor} tool: runs code a model wrote in a WebAssembly sandbox, with no access
 * to the host except the files a call declares and the task's grants allow, and with hard limits on
 * time, memory and output.
 *
 * <pre>{@code
 * CodeExecutor executor = CodeExecutor.create();            // or CodeExecutor.javascript()
 * Agent agent = Agent.builder().model(model).tools(executor).grant(Capability.fileRead(data)).build();
 *
 * // or directly:
 * ExecutionResult r = executor.execute("javascript", "console.log('hi'); 6 * 7").block();
 * }</pre>
 *
 * <p>The model calls it with {@code {"language": "javascript", "code": "...", "files": [{"path":
 * "/data/in.csv", "access": "read"}]}}. JavaScript runs in QuickJS (ES2023) compiled to WebAssembly;
 * {@code console.log}/{@code console.error} are captured, the value of the last expression (or of a
 * top-level {@code return}) comes back as JSON, a thrown error comes back with its message and line,
 * and {@code readFile(path)}/{@code writeFile(path, text)} reach the declared files (a declared
 * directory is an error for the script). Python (CPython 3.13 for WASI) is offered when the JVM and the class path allow it; otherwise a call says
 * that it is unavailable and why ({@link #unavailable}). WASI programs registered with
 * {@link Options#withModule} run through a {@link Sandbox} as {@code {"module": "wc", "args": ["-l"],
 * "stdin": "..."}}, with the same limits and no host files.
 *
 * <p>Every run gets a fresh engine, so nothing one task leaves in the interpreter reaches the next;
 * a small pool of engines started ahead hides the start-up time. A run ends with a
 * {@link RunOutcome}: past {@link SandboxLimits#timeout()} the guest is interrupted
 * ({@link RunOutcome#TIMEOUT}), its linear memory cannot grow past {@link SandboxLimits#maxMemoryBytes()}
 * ({@link RunOutcome#MEMORY_LIMIT}; a grow past the cap ends the run, the script does not get an
 * out-of-memory error it could catch), and output past {@link SandboxLimits#maxOutputBytes()} stops it
 * ({@link RunOutcome#OUTPUT_LIMIT}). The limits, and how each ends a run, are the same for every
 * language and for registered modules; the first limit reached is the one reported. (CPython for
 * WASI declares a 64 MiB maximum of its own: under a larger cap that maximum is Python's limit, and
 * running into it is a {@code MemoryError} the script sees, reported as {@link RunOutcome#MEMORY_LIMIT}
 * when uncaught.)
 *
 * <p>Thread-safe; one instance serves every task. Runs execute on {@link AgentSchedulers#compute()},
 * so many concurrent calls queue for the cores instead of oversubscribing them; {@link #invoke} and
 * {@link #execute} do not block, and cancelling their subscription interrupts the running code.
 * QuickJS's interpreter is one WebAssembly function that becomes a 57 KB JVM method, which HotSpot
 * does not compile by default; start the JVM with {@code -XX:-DontCompileHugeMethods
 * -XX:MaxNodeLimit=1000000 -XX:NodeLimitFudgeFactor=20000} (product flags) and C2 compiles it after a
 * warm-up, which such a JVM runs in the background when an executor is created
 * ({@link Options#withWarmUp}, {@link #warmedUp}). Even so CPU-heavy scripts run far slower than in
 * Node: the executor suits glue code, not number crunching. {@link #close} stops the warm-up and drops
 * the pooled engines.
 *
 * <p>Python's declared files are copied into its in-memory file system before the run and, for those
 * declared for writing, back to the host after a run that ended by itself (grants checked at both
 * ends, through the confinement layer); a directory declared for reading is mounted read-only, links
 * skipped. The guest sees the declared files at their host paths, as JavaScript does; {@code /tmp} is scratch
 * space. (This CPython build reaches files through one preopen, which its host names {@code /guest}: the guest
 * script wraps the functions of {@code os}, {@code posix} and {@code io} that take or give paths, so that host
 * path {@code /p} is opened at {@code /guest/p} and the code never sees it.)
 *
 * <p><b>Code mode</b> ({@link #codeMode()}): a script may call the task's other tools, so that one
 * step of the model makes many calls and only what the script returns goes back to the model:
 *
 * <pre>{@code
 * Agent agent = Agent.builder().model(model)
 *     .tools(CodeExecutor.codeMode(), FileSystemTools.rootedAt(project))
 *     .grant(Capability.fileRead(project))
 *     .build();
 * // the model may then run:
 * //   const lines = tools.grep({pattern: "TODO", path: "src"}).split("\n");   // grep answers with text
 * //   lines.length
 * }</pre>
 *
 * <p>In JavaScript the global {@code tools} has one function per tool the model could call directly
 * (same names, same parameter schemas), except this executor itself. {@code tools.name(args)} takes one
 * object and waits for the tool: it returns the result (a result that is a JSON object or array parsed,
 * any other result as its text) or throws a {@code ToolError} whose {@code message} is the error the model
 * would read and whose {@code kind} is the {@link ToolErrorKind} name. Each call takes the registry's
 * whole path, as a call of the model does ({@link ToolContext#callTool}): schema validation, capability
 * checks against the task's grants, the approval handler, events (nested under this call), the tool
 * timeout, and the agent's cap on calls per script ({@code Agent.Builder.maxNestedToolCalls}, 50 by
 * default); so code mode adds no authority. Calls run one at a time. The run's limits still hold, and its
 * time limit counts the time its tools take; stopping the run (time limit, cancellation) cancels the call
 * in flight. A script that can call tools runs on threads of its own rather than
 * {@link AgentSchedulers#compute()}, since it waits there for tools that may themselves need
 * {@code compute()}. Python code calls them the same way, {@code tools.read_file(path="a.py")} (or with
 * one dict), raising {@code ToolError} ({@code str(e)}, {@code e.kind}); the CPython module has no host
 * function to add, so a call travels as a request file in the interpreter's in-memory file system and
 * an answer on its standard input.
 */
public final class CodeExecutor implements Tool, AutoCloseable {
    /** The tool's name. */
    public static final String NAME = "code_executor";

    /** {@link ExecutionResult#language()} of a registered module's run: this prefix and the module's name. */
    public static final String MODULE_LANGUAGE_PREFIX = "wasi:";

    /** The languages a code executor can offer. */
    public enum Language {
        JAVASCRIPT("javascript"), PYTHON("python");

        private final String id;

        Language(String id) {
            this.id = id;
        }

        /** The name the model uses, e.g. {@code "javascript"}. */
        public String id() {
            return id;
        }

        /** The language with this {@link #id()}, ignoring case. */
        public static Optional<Language> of(String id) {
            for (Language l : values()) {
                if (l.id.equalsIgnoreCase(id.strip())) {
                    return Optional.of(l);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * How a code executor runs code.
     *
     * @param limits the limits of every run
     * @param poolSize JavaScript engines kept started ahead (and, once Python has run, one Python
     *     interpreter); 0 starts each on demand
     * @param maxFileBytes the largest file a script may read or write
     * @param languages the languages offered to the model
     * @param modules registered WASI programs the model may run by name with arguments and stdin
     * @param warmUp whether creating the executor starts a JavaScript warm-up in the background (see
     *     {@link CodeExecutor#warmedUp()})
     * @param pythonImageCache a directory where the image of a started Python interpreter is kept for later
     *     JVMs (see {@link #withPythonImageCache}), or null to keep it in memory only
     */
    public record Options(SandboxLimits limits, int poolSize, long maxFileBytes, Set<Language> languages,
            Map<String, WasmModule> modules, boolean warmUp, @Nullable Path pythonImageCache) {
        /**
         * {@link SandboxLimits#DEFAULT}, two pooled engines, 4 MiB files, every language, no modules,
         * the warm-up on when the JVM runs with {@code -XX:-DontCompileHugeMethods} (without it the
         * warm-up cannot get the interpreter loop compiled, and would cost CPU for little).
         */
        public static final Options DEFAULT = new Options(SandboxLimits.DEFAULT, 2, 4L << 20,
                EnumSet.allOf(Language.class), Map.of(), WarmUp.jitCompilesHugeMethods(), null);

        private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

        public Options {
            Objects.requireNonNull(limits, "limits");
            if (poolSize < 0 || poolSize > 64) {
                throw new IllegalArgumentException("poolSize must be between 0 and 64, was " + poolSize);
            }
            if (maxFileBytes < 0) {
                throw new IllegalArgumentException("maxFileBytes must not be negative, was " + maxFileBytes);
            }
            Objects.requireNonNull(languages, "languages");
            if (languages.isEmpty()) {
                throw new IllegalArgumentException("languages must name at least one language");
            }
            languages = Set.copyOf(EnumSet.copyOf(languages));
            Objects.requireNonNull(modules, "modules");
            for (String name : modules.keySet()) {
                if (!MODULE_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("modules: '" + name
                            + "' is not a module name (letters, digits, '_', '.', '-'; at most 64)");
                }
            }
            modules = Collections.unmodifiableMap(new TreeMap<>(modules));
        }

        /** As the canonical constructor, without a Python image cache. */
        public Options(SandboxLimits limits, int poolSize, long maxFileBytes, Set<Language> languages,
                Map<String, WasmModule> modules, boolean warmUp) {
            this(limits, poolSize, maxFileBytes, languages, modules, warmUp, null);
        }

        /** As the canonical constructor, with the warm-up as in {@link #DEFAULT} and no Python image cache. */
        public Options(SandboxLimits limits, int poolSize, long maxFileBytes, Set<Language> languages,
                Map<String, WasmModule> modules) {
            this(limits, poolSize, maxFileBytes, languages, modules, WarmUp.jitCompilesHugeMethods(), null);
        }

        public Options withLimits(SandboxLimits limits) {
            return new Options(limits, poolSize, maxFileBytes, languages, modules, warmUp, pythonImageCache);
        }

        public Options withPoolSize(int poolSize) {
            return new Options(limits, poolSize, maxFileBytes, languages, modules, warmUp, pythonImageCache);
        }

        public Options withMaxFileBytes(long maxFileBytes) {
            return new Options(limits, poolSize, maxFileBytes, languages, modules, warmUp, pythonImageCache);
        }

        public Options withLanguages(Language... languages) {
            return new Options(limits, poolSize, maxFileBytes, Set.of(languages), modules, warmUp, pythonImageCache);
        }

        /**
         * Whether creating the executor runs a JavaScript warm-up script once on a background thread,
         * so that the JIT has compiled QuickJS's interpreter before the first real script (with the
         * JVM flags in the class comment; without them it compiles only the engine's smaller
         * functions). It costs one core for seconds after creation (and the JIT's compiler threads
         * more), on a thread of its own, so the first real run never waits for it. On by default only
         * when the JVM has {@code -XX:-DontCompileHugeMethods}.
         */
        public Options withWarmUp(boolean warmUp) {
            return new Options(limits, poolSize, maxFileBytes, languages, modules, warmUp, pythonImageCache);
        }

        /**
         * Keeps the image of the first Python interpreter started (its memory and globals right after CPython's
         * start, some 35 MB, compressed to a few) in {@code dir}, so that a later JVM's first Python run is made
         * from it in a fraction of a second instead of starting CPython (seconds on a cold JVM). Within one JVM
         * every interpreter after the first is made from the image anyway. The file names the interpreter build
         * it was taken from and is used only by the same build; a damaged or foreign file is ignored and
         * replaced. {@code dir} is the application's own, created when missing; what is in it runs only inside
         * the sandbox, under the same limits and grants.
         */
        public Options withPythonImageCache(Path dir) {
            return new Options(limits, poolSize, maxFileBytes, languages, modules, warmUp,
                    Objects.requireNonNull(dir, "dir"));
        }

        /**
         * These options plus a WASI program the model can run as {@code {"module": name, "args": [...],
         * "stdin": "..."}}, with this executor's limits and no host files.
         */
        public Options withModule(String name, WasmModule module) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(module, "module");
            var more = new TreeMap<>(modules);
            more.put(name, module);
            return new Options(limits, poolSize, maxFileBytes, languages, more, warmUp, pythonImageCache);
        }
    }

    private final Options options;
    private final JsRunner javascript;
    private final PythonRunner python;
    private final @Nullable Sandbox sandbox;
    private final RunTimer timer;
    private final boolean codeMode;
    private final ToolSpec spec;
    private final WarmUp warmUp;

    private CodeExecutor(Options options, RunTimer timer, boolean codeMode) {
        this.options = options;
        this.timer = timer;
        this.codeMode = codeMode;
        this.javascript = new JsRunner(options.limits(), options.poolSize());
        this.python = PythonRunner.create(options.limits(), options.poolSize() > 0, options.pythonImageCache());
        this.sandbox = options.modules().isEmpty()
                ? null
                : Sandbox.builder().limits(options.limits()).timer(timer).build();
        this.spec = new ToolSpec(NAME, description(), parameters());
        if (options.languages().contains(Language.JAVASCRIPT)) {
            javascript.warmUp();
        }
        this.warmUp = options.warmUp() && options.languages().contains(Language.JAVASCRIPT)
                ? JsWarmUp.start()
                : WarmUp.none();
    }

    /** Every language, default options; starts filling the engine pool in the background. */
    public static CodeExecutor create() {
        return new CodeExecutor(Options.DEFAULT, RunTimer.SYSTEM, false);
    }

    /** JavaScript only, default options. */
    public static CodeExecutor javascript() {
        return new CodeExecutor(Options.DEFAULT.withLanguages(Language.JAVASCRIPT), RunTimer.SYSTEM, false);
    }

    /**
     * JavaScript in code mode, default options: scripts call the task's other tools as
     * {@code tools.name({...})} (see the class comment).
     */
    public static CodeExecutor codeMode() {
        return codeMode(Options.DEFAULT.withLanguages(Language.JAVASCRIPT));
    }

    /** Code mode with {@code options}; JavaScript scripts call the task's tools, Python code cannot. */
    public static CodeExecutor codeMode(Options options) {
        return codeMode(options, RunTimer.SYSTEM);
    }

    /** As above, with what arms each run's time limit; for tests in this package. */
    static CodeExecutor codeMode(Options options, RunTimer timer) {
        return new CodeExecutor(Objects.requireNonNull(options, "options"), Objects.requireNonNull(timer, "timer"),
                true);
    }

    public static CodeExecutor create(Options options) {
        return create(options, RunTimer.SYSTEM);
    }

    /** As above, with what arms each run's time limit; for tests in this package. */
    static CodeExecutor create(Options options, RunTimer timer) {
        return new CodeExecutor(Objects.requireNonNull(options, "options"), Objects.requireNonNull(timer, "timer"),
                false);
    }

    public Options options() {
        return options;
    }

    /** Whether this executor is in code mode: its JavaScript scripts may call the task's other tools. */
    public boolean callsTools() {
        return codeMode;
    }

    /**
     * Completes when the background warm-up ({@link Options#withWarmUp}) has ended: {@code true} when
     * it ran to the end, {@code false} when it is off, JavaScript is not offered, or {@link #close}
     * stopped it. Real runs never wait for it.
     */
    public Mono<Boolean> warmedUp() {
        return warmUp.done();
    }

    /**
     * Starts what the first run of {@code language} would otherwise start itself, in the background: for Python
     * an interpreter (the first in the JVM also loads CPython's module and starts CPython, seconds in all; later
     * ones are copies of that first one, made in about 0.1 s), which the next Python run takes.
     * Call it when the executor is made and a Python run is expected soon, so the start overlaps the rest of the
     * set-up. Does not block; costs a core for that long and the interpreter's memory until a run takes it or
     * {@link #close}. Does nothing for a language that is not offered or cannot run here, nor for JavaScript
     * (whose engines start in milliseconds; see {@link Options#withWarmUp} for its compiler warm-up).
     */
    public void startAhead(Language language) {
        Objects.requireNonNull(language, "language");
        if (language == Language.PYTHON && unavailable(language).isEmpty()) {
            python.startAhead();
        }
    }

    /**
     * Prepares the {@linkplain Options#withPythonImageCache Python image cache} for later JVMs: when it holds no
     * usable image of CPython's started state, starts CPython in full (seconds on a fresh JVM) and writes one.
     * Completes {@code true} when the cache then holds a usable image (written now or found there), {@code false}
     * when this executor has no image cache, Python is not offered or cannot run in this JVM, or the image could
     * not be written (logged). Runs on {@code AgentSchedulers.blocking()}.
     *
     * <p>For a build or deployment step, as one would make a class-data-sharing archive: the first Python run of
     * every later JVM that uses the same cache, interpreter artifact and agentrt version then makes its interpreter
     * from the file in well under a second instead of starting CPython. The examples' launch of {@code FixTheBugs}
     * does it before the program starts.
     */
    public Mono<Boolean> preparePython() {
        if (unavailable(Language.PYTHON).isPresent()) {
            return Mono.just(false);
        }
        return Mono.fromCallable(python::prepareImage).subscribeOn(AgentSchedulers.blocking());
    }

    /** Why {@code language} cannot run here, or empty when it can. */
    public Optional<String> unavailable(Language language) {
        if (!options.languages().contains(language)) {
            return Optional.of(language.id() + " is not enabled in this code executor");
        }
        return switch (language) {
            case JAVASCRIPT -> Optional.empty();
            case PYTHON -> python.unavailable();
        };
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        try {
            return declaredFiles(arguments).stream().map(HostFiles.Declared::capability).toList();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        return Mono.defer(() -> {
            if (arguments.has("module")) {
                return invokeModule(arguments);
            }
            String languageId = arguments.getString("language").orElse("");
            Optional<Language> language = Language.of(languageId);
            if (language.isEmpty() || !options.languages().contains(language.get())) {
                return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS,
                        "language must be one of " + languageIds() + ", was '" + languageId + "'"));
            }
            Optional<String> unavailable = unavailable(language.get());
            if (unavailable.isPresent()) {
                return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS,
                        language.get().id() + " is unavailable: " + unavailable.get()
                                + (options.languages().contains(Language.JAVASCRIPT) ? "; use javascript" : "")));
            }
            Optional<String> code = arguments.getString("code");
            if (code.isEmpty()) {
                return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "code is required (a string)"));
            }
            List<HostFiles.Declared> files;
            try {
                files = declaredFiles(arguments);
            } catch (IllegalArgumentException e) {
                return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, String.valueOf(e.getMessage())));
            }
            @Nullable
            String cwd = arguments.getString("cwd").orElse(null);
            if (cwd != null && (language.get() != Language.PYTHON || !cwd.startsWith("/"))) {
                return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS,
                        "cwd must be an absolute path, and is for python only; was '" + cwd + "' for "
                                + language.get().id()));
            }
            HostTools tools = codeMode ? HostTools.of(context) : HostTools.none();
            if (language.get() == Language.PYTHON) {
                return runPython(code.get(), cwd, new PythonFiles(files, context.grants(), options.maxFileBytes()),
                        tools);
            }
            var hostFiles = new HostFiles(files, context.grants(), options.maxFileBytes());
            return run(language.get(), code.get(), hostFiles, tools).map(CodeExecutor::toToolResult);
        });
    }

    /**
     * Runs {@code code} without access to any host file. Does not block; the run happens on
     * {@link AgentSchedulers#compute()} at subscription, and cancelling interrupts it. Fails with
     * {@link IllegalArgumentException} for a language this executor does not offer or cannot run.
     */
    public Mono<ExecutionResult> execute(String language, String code) {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(code, "code");
        return Mono.defer(() -> {
            Optional<Language> l = Language.of(language).filter(options.languages()::contains);
            if (l.isEmpty()) {
                return Mono.error(new IllegalArgumentException(
                        "language must be one of " + languageIds() + ", was '" + language + "'"));
            }
            Optional<String> unavailable = unavailable(l.get());
            if (unavailable.isPresent()) {
                return Mono.error(new IllegalArgumentException(l.get().id() + " is unavailable: " + unavailable.get()));
            }
            return run(l.get(), code, HostFiles.none(), HostTools.none());
        });
    }

    /**
     * Runs the registered WASI program {@code name} with {@code args} and {@code stdin}, without any
     * host file. Does not block; fails with {@link IllegalArgumentException} for a name that is not
     * registered, with {@code SandboxException} for a module that is not valid WebAssembly.
     */
    public Mono<ExecutionResult> executeModule(String name, List<String> args, String stdin) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stdin, "stdin");
        List<String> argv = List.copyOf(args);
        return Mono.defer(() -> {
            WasmModule module = options.modules().get(name);
            Sandbox s = sandbox;
            if (module == null || s == null) {
                return Mono.error(new IllegalArgumentException(unknownModule(name)));
            }
            return s.run(module, RunRequest.builder().args(argv).stdin(stdin).build())
                    .map(r -> new ExecutionResult(MODULE_LANGUAGE_PREFIX + name, r.outcome(), r.stdout(), r.stderr(),
                            r.ok() ? JsonValue.nullValue() : null, null, r.elapsed()));
        });
    }

    private Mono<ToolResult> invokeModule(JsonObject arguments) {
        if (arguments.has("code") || arguments.has("language") || arguments.has("files")) {
            return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS,
                    "give either module (with args and stdin) or language and code, not both;"
                            + " a module gets no host files"));
        }
        String name = arguments.getString("module").orElse("");
        if (!options.modules().containsKey(name)) {
            return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, unknownModule(name)));
        }
        var args = new ArrayList<String>();
        JsonValue given = arguments.get("args");
        if (given != null && !(given instanceof JsonValue.JsonNull)) {
            if (!(given instanceof JsonArray array)) {
                return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "args must be an array of strings"));
            }
            for (JsonValue a : array.items()) {
                if (!(a instanceof JsonValue.JsonString(String text))) {
                    return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS,
                            "args must be an array of strings, had " + a.toJson()));
                }
                args.add(text);
            }
        }
        String stdin = arguments.getString("stdin").orElse("");
        return executeModule(name, args, stdin).map(CodeExecutor::toToolResult)
                .onErrorResume(SandboxException.class, e -> Mono.just(ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                        "module '" + name + "' cannot run: " + e.getMessage())));
    }

    private String unknownModule(String name) {
        return options.modules().isEmpty()
                ? "no modules are registered in this code executor, so '" + name + "' cannot run"
                : "module must be one of " + options.modules().keySet() + ", was '" + name + "'";
    }

    private Mono<ExecutionResult> run(Language language, String code, HostFiles files, HostTools tools) {
        // A script that can call tools waits for them on its thread: not on compute(), which they may need.
        return Runs.onScheduler(tools.any() ? ToolWaitThreads.scheduler() : AgentSchedulers.compute(), timer,
                options.limits().timeout(),
                guard -> switch (language) {
                    case JAVASCRIPT -> javascript.run(code, files, tools, guard);
                    case PYTHON -> python.run(code, null, PythonFiles.none(), tools, guard);
                });
    }

    /**
     * Stops the warm-up and drops the pooled engines; runs in progress finish, later runs start their
     * engine on demand.
     */
    @Override
    public void close() {
        warmUp.close();
        javascript.close();
        python.close();
    }

    private Mono<ToolResult> runPython(String code, @Nullable String cwd, PythonFiles files, HostTools tools) {
        return Runs.onScheduler(tools.any() ? ToolWaitThreads.scheduler() : AgentSchedulers.compute(), timer,
                options.limits().timeout(), guard -> python.run(code, cwd, files, tools, guard))
                .map(CodeExecutor::toToolResult)
                .onErrorResume(PythonFiles.Refused.class, e -> Mono.just(ToolResult.error(
                        e.denied() ? ToolErrorKind.PERMISSION_DENIED : ToolErrorKind.INVALID_ARGUMENTS,
                        String.valueOf(e.getMessage()))));
    }

    private static ToolResult toToolResult(ExecutionResult result) {
        String json = result.toJson().toJson();
        return result.ok() ? ToolResult.text(json) : ToolResult.error(ToolErrorKind.EXECUTION_FAILED, json);
    }

    private static List<HostFiles.Declared> declaredFiles(JsonObject arguments) {
        JsonValue files = arguments.get("files");
        if (files == null || files instanceof JsonValue.JsonNull) {
            return List.of();
        }
        if (!(files instanceof JsonArray array)) {
            throw new IllegalArgumentException("files must be an array of {path, access}");
        }
        var declared = new ArrayList<HostFiles.Declared>(array.size());
        for (JsonValue item : array.items()) {
            if (!(item instanceof JsonObject file)) {
                throw new IllegalArgumentException("each of files must be an object {path, access}");
            }
            String path = file.getString("path")
                    .filter(p -> !p.isBlank())
                    .orElseThrow(() -> new IllegalArgumentException("each of files needs a path"));
            String access = file.getString("access").orElse("read").toLowerCase(Locale.ROOT);
            if (!access.equals("read") && !access.equals("write")) {
                throw new IllegalArgumentException(
                        "access of '" + path + "' must be read or write, was '" + access + "'");
            }
            try {
                declared.add(new HostFiles.Declared(Path.of(path), access.equals("write")));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("not a valid path: '" + path + "'");
            }
        }
        return List.copyOf(declared);
    }

    private List<String> languageIds() {
        return options.languages().stream().sorted().map(Language::id).toList();
    }

    private String description() {
        var d = new StringBuilder("Runs code in an isolated sandbox and returns its output as JSON: outcome, stdout, "
                + "stderr, value (the value of the last expression or of a top-level return) and error "
                + "(type, message, line). Limits: " + options.limits().timeout().toMillis() + " ms, "
                + (options.limits().maxMemoryBytes() >> 20) + " MiB of memory, "
                + options.limits().maxOutputBytes() + " bytes of output. No network.");
        if (options.languages().contains(Language.JAVASCRIPT)) {
            d.append(" javascript: ES2023 (QuickJS); console.log/console.error print; readFile(path) returns a file's "
                    + "text and writeFile(path, text) writes one, for files listed in 'files' with their access"
                    + " (single files, not directories).");
        }
        if (options.languages().contains(Language.PYTHON)) {
            d.append(python.unavailable()
                    .map(why -> " python: unavailable here (" + why + ").")
                    .orElse(" python: CPython 3.13 standard library; print() prints; the files listed in 'files' appear"
                            + " at their paths: read ones read-only, write ones written back to the host when the code"
                            + " ends by itself (not on a limit); a directory listed with access read is mounted"
                            + " read-only (e.g. a project to import from or to run its tests); /tmp is scratch; 'cwd'"
                            + " (such as a listed directory) is where the code starts, also first on sys.path."));
        }
        if (codeMode) {
            d.append(" Code mode: the global object tools has one function for each tool you can call directly, "
                    + "except " + NAME + ", with the same name and parameters; each takes one object of arguments and "
                    + "returns the tool's result, e.g. const r = tools.read_file({path: 'a.py'}) in javascript, "
                    + "r = tools.read_file(path='a.py') in python. A result that is a JSON object or array comes back "
                    + "parsed, any other as text. A failed call throws a ToolError (its message says why, its kind is "
                    + "PERMISSION_DENIED, INVALID_ARGUMENTS, UNKNOWN_TOOL, TIMEOUT or EXECUTION_FAILED). Calls run one "
                    + "at a time, each checked and approved like a direct call, and their number per run is limited; "
                    + "the time limit includes them. Use it to make many calls in one step and return only what "
                    + "matters.");
        }
        if (!options.modules().isEmpty()) {
            d.append(" Registered WASI programs, run with module, args and stdin instead of language and code: ")
                    .append(String.join(", ", options.modules().keySet()))
                    .append(".");
        }
        return d.toString();
    }

    private JsonObject parameters() {
        JsonArray languages = new JsonArray(languageIds().stream().map(id -> (JsonValue) JsonValue.of(id)).toList());
        JsonObject file = JsonObject.builder()
                .put("type", "object")
                .put("properties", JsonObject.builder()
                        .put("path", JsonObject.builder()
                                .put("type", "string")
                                .put("description", "absolute path of a host file (python: or of a directory"
                                        + " to mount read-only, with access read)")
                                .build())
                        .put("access", JsonObject.builder()
                                .put("type", "string")
                                .put("enum", List.of("read", "write"))
                                .build())
                        .build())
                .put("required", List.of("path", "access"))
                .build();
        var properties = JsonObject.builder()
                .put("language", JsonObject.builder().put("type", "string").put("enum", languages).build())
                .put("code",
                        JsonObject.builder().put("type", "string").put("description", "the program to run").build())
                .put("files", JsonObject.builder()
                        .put("type", "array")
                        .put("items", file)
                        .put("description", "host files the code reads or writes")
                        .build());
        if (options.languages().contains(Language.PYTHON)) {
            properties.put("cwd", JsonObject.builder()
                    .put("type", "string")
                    .put("description", "python only: absolute host path to start in, e.g. a listed directory")
                    .build());
        }
        if (options.modules().isEmpty()) {
            return JsonObject.builder()
                    .put("type", "object")
                    .put("properties", properties.build())
                    .put("required", List.of("language", "code"))
                    .build();
        }
        JsonArray names = new JsonArray(
                options.modules().keySet().stream().map(n -> (JsonValue) JsonValue.of(n)).toList());
        properties.put("module", JsonObject.builder()
                .put("type", "string")
                .put("enum", names)
                .put("description", "a registered WASI program to run instead of code")
                .build())
                .put("args", JsonObject.builder()
                        .put("type", "array")
                        .put("items", JsonObject.builder().put("type", "string").build())
                        .put("description", "the program's arguments")
                        .build())
                .put("stdin", JsonObject.builder()
                        .put("type", "string")
                        .put("description", "the program's standard input")
                        .build());
        return JsonObject.builder().put("type", "object").put("properties", properties.build()).build();
    }
}
