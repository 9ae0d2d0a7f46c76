package dev.agentrt.inference.internal.chat;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One reply being generated: its own KV cache, sampler and text state over a shared
 * {@link DecoderSession}. Tokens are generated in tasks on a worker of the model's scheduler (the
 * compute scheduler unless the application chose another), run only while the subscriber has
 * demand, so generations sharing a worker thread interleave slice by slice, a slow subscriber holds
 * no thread, and cancellation takes effect before the next token. The next slice is queued on the
 * same worker, which takes it up without a thread hand-off (a hand-off per token costs a wake-up,
 * milliseconds on a loaded machine). On {@link Schedulers#immediate()} the generation runs on the
 * thread that subscribes or requests, in one loop (never one nested call per slice), except a
 * non-blocking or virtual thread, from which it moves to the compute workers. Steps of one
 * generation never overlap: a work-in-progress counter serialises them.
 */
public final class Generation {
    /** What the model shares with each of its generations. */
    public interface Host {
        DecoderSession session();

        /** A reader of one reply's token ids as text. */
        TokenText text();

        Set<Long> endTokens();

        /** Runs {@code action} unless the model is closed (then fails); closing waits for it. */
        <T> T whileOpen(Supplier<T> action);

        void started();

        void tokenGenerated();

        void ended();
    }

    /** What this generation does, resolved from the request and the model's settings. */
    public record Plan(Supplier<long[]> prompt, SamplingSettings sampling, LogitsProcessors processors, long seed,
            int maxTokens, int contextLength, List<String> stopSequences, boolean tools, boolean kvCache,
            @Nullable String answerTool) {}

    private final Host host;
    private final Plan plan;
    private final FluxSink<ChatEvent> sink;
    /**
     * How long one task on the compute worker may keep generating before it reschedules itself: a
     * small model's tokens (a few hundred microseconds) are generated several per task, saving a
     * trip through the worker's queue each; a real model's (milliseconds) one per task, so that
     * other work on the same compute thread, another generation included, takes turns token by
     * token. Cancellation, backpressure and closing are checked before every token either way.
     */
    static final long SLICE_NANOS = 1_000_000;

    private final Scheduler scheduler;
    /**
     * Whether tasks run on the thread that schedules them ({@link Schedulers#immediate()}); cleared when such a thread
     * may not compute. Only the thread that holds {@link #wip} reads or writes it (and {@link #worker}).
     */
    private boolean onCaller;
    private volatile Scheduler.@Nullable Worker worker;
    private final AtomicInteger wip = new AtomicInteger();
    private final Sampler sampler;
    private final TokenText decoder;
    private final StopSequences stops;
    private final @Nullable ToolCallStream toolStream;
    private volatile boolean cancelled;
    private boolean started;
    private volatile boolean ended;
    private @Nullable KvCache cache;
    private long[] sequence = new long[0];
    private int length;
    private int promptLength;
    private int next;
    private int generated;

    public Generation(Host host, Plan plan, FluxSink<ChatEvent> sink, Scheduler scheduler) {
        this.host = host;
        this.plan = plan;
        this.sink = sink;
        this.scheduler = scheduler;
        this.onCaller = scheduler == Schedulers.immediate();
        this.sampler = new Sampler(plan.sampling(), new SplittableRandom(plan.seed()));
        this.decoder = host.text();
        this.stops = new StopSequences(plan.stopSequences());
        this.toolStream = plan.tools() ? new ToolCallStream() : null;
        // Cancellation first: registering onRequest starts generation on the worker at once when the
        // subscriber has already asked, and a cancel that came before onCancel was registered would
        // only be seen when the registering thread got round to it, tokens later.
        sink.onCancel(() -> {
            cancelled = true;
            signal();
        });
        sink.onRequest(n -> signal());
    }

    private void signal() {
        if (wip.getAndIncrement() == 0) {
            schedule();
        }
    }

    private void schedule() {
        try {
            if (onCaller && (Schedulers.isInNonBlockingThread() || Thread.currentThread().isVirtual())) {
                // Inference on this thread would stall a non-blocking event loop, or pin a virtual thread's
                // carrier for the length of a native call: the rest of this generation goes to the compute
                // workers, as with the default scheduler.
                onCaller = false;
                worker = AgentSchedulers.compute().createWorker();
            }
            // Created on first use: a subscriber that never asks holds no worker.
            Scheduler.Worker own = worker;
            if (own == null) {
                own = scheduler.createWorker();
                worker = own;
            }
            own.schedule(this::run);
        } catch (RuntimeException e) {
            // A rejected task (scheduler shut down) ends the reply instead of leaving it hanging.
            fail(new ModelException("local generation could not be scheduled: " + e.getMessage(), 0, null, false, e));
        }
    }

    private void run() {
        int missed = wip.get();
        long start = System.nanoTime();
        while (true) {
            try {
                if (cancelled || sink.isCancelled()) {
                    end();
                } else if (!ended && sink.requestedFromDownstream() > 0) {
                    host.whileOpen(() -> {
                        step();
                        return null;
                    });
                }
            } catch (Throwable e) {
                fail(e);
            }
            boolean more = !ended && !cancelled && !sink.isCancelled() && sink.requestedFromDownstream() > 0;
            if (more) {
                // On the subscriber's own thread there is nobody to take turns with; on a worker the
                // slice ends with the task queued again behind the worker's other work.
                if (onCaller || System.nanoTime() - start < SLICE_NANOS) {
                    continue;
                }
                schedule();
                return;
            }
            // No demand, or the end: signals that came meanwhile (a request, a cancel) are taken up here
            // rather than by a new task, which on the subscriber's thread would nest one call per signal.
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void step() {
        DecoderSession session = host.session();
        if (!started) {
            started = true;
            host.started();
            long[] prompt = plan.prompt().get();
            promptLength = prompt.length;
            sequence = Arrays.copyOf(prompt, promptLength + Math.min(plan.maxTokens(), 4096));
            length = promptLength;
            if (promptLength == 0) {
                throw new IllegalArgumentException("the rendered prompt has no tokens");
            }
            if (promptLength >= plan.contextLength()) {
                throw new IllegalArgumentException("the prompt has " + promptLength + " tokens, more than the model's"
                        + " context of " + plan.contextLength() + " leaves room for");
            }
            cache = session.emptyCache();
        }
        DecoderSession.Step step;
        if (plan.kvCache()) {
            // As Optimum's runtime: the whole prompt in one run, then one token per run. (Chunks of
            // prompt after a non-empty past are not what a merged decoder traced at one token is
            // exported for, and give it wrong logits.)
            step = session.step(Arrays.copyOfRange(sequence, next, length), Objects.requireNonNull(cache));
            cache = step.cache();
        } else {
            step = session.step(Arrays.copyOf(sequence, length), session.emptyCache());
            step.cache().close();
        }
        next = length;
        float[] logits = step.logits();
        if (!plan.processors().none()) {
            plan.processors().apply(logits, sequence, length, generated, host.endTokens());
        }
        int token = sampler.next(logits);
        generated++;
        host.tokenGenerated();
        if (length == sequence.length) {
            sequence = Arrays.copyOf(sequence, length * 2);
        }
        sequence[length++] = token;
        if (host.endTokens().contains((long) token)) {
            finish(FinishReason.STOP);
            return;
        }
        emit(decoder.accept(token));
        if (stops.stopped()) {
            finish(FinishReason.STOP_SEQUENCE);
        } else if (generated >= plan.maxTokens() || length >= plan.contextLength()) {
            finish(FinishReason.LENGTH);
        }
    }

    private void emit(String delta) {
        String text = stops.accept(delta);
        if (toolStream != null) {
            text = toolStream.accept(text);
        }
        if (!text.isEmpty()) {
            sink.next(ChatEvent.text(text));
        }
    }

    private void finish(FinishReason reason) {
        if (!stops.stopped()) {
            emit(decoder.flush());
        }
        String rest = stops.stopped() ? "" : stops.flush();
        FinishReason end = reason;
        if (toolStream != null) {
            String text = toolStream.accept(rest);
            ToolCallParser.Parsed parsed = toolStream.finish();
            text += parsed.text();
            List<ToolCallParser.Call> calls = parsed.calls();
            if (plan.answerTool() != null) {
                // The structured-output fallback: the answer tool's arguments are the reply, alone
                // (text the model wrote around the call is not part of a JSON reply).
                List<ToolCallParser.Call> answers = calls.stream()
                        .filter(call -> call.name().equals(plan.answerTool()))
                        .toList();
                if (!answers.isEmpty()) {
                    text = answers.get(0).arguments();
                    calls = calls.stream().filter(call -> !call.name().equals(plan.answerTool())).toList();
                }
            }
            if (!text.isEmpty()) {
                sink.next(ChatEvent.text(text));
            }
            for (int i = 0; i < calls.size(); i++) {
                ToolCallParser.Call call = calls.get(i);
                sink.next(new ChatEvent.ToolCallDelta(i, callId(i), call.name(), call.arguments()));
            }
            if (!calls.isEmpty()) {
                end = FinishReason.TOOL_CALLS;
            }
        } else if (!rest.isEmpty()) {
            sink.next(ChatEvent.text(rest));
        }
        sink.next(new ChatEvent.UsageReport(Usage.of(promptLength, generated)));
        sink.next(ChatEvent.finish(end));
        end();
        sink.complete();
    }

    private String callId(int index) {
        return "call_" + Long.toHexString(System.identityHashCode(this) * 31L + System.nanoTime()) + "_" + index;
    }

    private void fail(Throwable e) {
        if (ended) {
            return;
        }
        end();
        sink.error(e instanceof ModelException
                ? e
                : new ModelException("local generation failed: " + e.getMessage(), 0, null, false, e));
    }

    /** Frees this generation's arrays; idempotent. */
    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (worker != null) {
            worker.dispose();
        }
        KvCache ownCache = cache;
        cache = null;
        if (ownCache != null) {
            // The cache's tensors are this generation's own (ONNX Runtime frees them through their own
            // allocator): freed here even when the model was closed under the generation.
            ownCache.close();
        }
        if (started) {
            host.ended();
        }
    }
}
