package dev.agentrt.core.report;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.report.RunModel.Stamped;
import dev.agentrt.core.run.RunEvent;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A run a person can read: a run's {@link AgentEvent}s (from {@code task.stream()}, an agent's listener, or a
 * journal) rendered as one self-contained HTML page that opens offline. It shows a timeline of the steps; each model
 * call with its model, tokens, cost and latency; each tool call with its arguments and result (collapsed), duration
 * and outcome; denials, approvals and errors; and the run's totals. Events of several tasks make one section per task.
 *
 * <pre>{@code
 * RunReport.Recorder recorder = RunReport.builder().model("claude-sonnet-4-5").recorder();
 * AgentResult result = agent.task("Fix the failing test")
 *         .stream()
 *         .doOnNext(recorder)                      // or Agent.builder().listener(recorder)
 *         .ofType(AgentEvent.Completed.class).map(AgentEvent.Completed::result)
 *         .blockLast();
 * recorder.report().writeTo(Path.of("run.html"));  // blocking: at the edge of the program
 *
 * RunReport later = RunReport.of(events);          // events kept elsewhere (a journal): no latencies
 * }</pre>
 *
 * <p><b>Times.</b> Events carry no clock time. A {@link Recorder} stamps each event when it arrives (with
 * {@link System#nanoTime()} or the builder's {@link Builder#clock clock}), and the page shows model latencies, time
 * to first token and step times from those stamps; a report built from bare events shows "—" for them. Tool call
 * durations come from the events themselves and always show.
 *
 * <p><b>Model name.</b> Events do not name the model; give it with {@link Builder#model(String)}. <b>Cost</b> is
 * each call's {@code Usage.cost()}, in the model's currency.
 *
 * <p><b>Untrusted content.</b> Tool arguments and results, model text and error messages are escaped: they show as
 * text and cannot add markup or script. Values longer than {@link Builder#maxValueChars(int)} (default
 * {@value #DEFAULT_MAX_VALUE_CHARS} characters) are cut, with a note saying how much was left out. The page's
 * Content-Security-Policy forbids every network request and runs only the page's own small script (expand all,
 * collapse all, only problems); without script the page is complete.
 *
 * <p>Immutable and thread-safe. {@link #html()} renders on each call; {@link #writeTo(Path)} blocks on the file
 * system, so call it outside Reactor chains (or on a scheduler meant for blocking work).
 */
public final class RunReport {
    /** The default bound of one value (a tool's arguments or result, a reply, an error message), in characters. */
    public static final int DEFAULT_MAX_VALUE_CHARS = 20_000;

    private static final String DEFAULT_TITLE = "Run report";

    private final List<Stamped> events;
    private final String title;
    private final @Nullable String model;
    private final int maxValueChars;
    private final LongSupplier clock;

    private RunReport(Builder builder) {
        this.events = List.copyOf(builder.events);
        this.title = builder.title;
        this.model = builder.model;
        this.maxValueChars = builder.maxValueChars;
        this.clock = builder.clock;
    }

    /** A report of {@code events}, in their order, without times; the default title and no model name. */
    public static RunReport of(List<? extends AgentEvent> events) {
        return builder().events(events).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A recorder with the default settings: {@code builder().recorder()}. */
    public static Recorder recorder() {
        return builder().recorder();
    }

    /** A builder with this report's settings and events, to make a variant (another title, more events). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.events.addAll(events);
        b.title = title;
        b.model = model;
        b.maxValueChars = maxValueChars;
        b.clock = clock;
        return b;
    }

    /** The events the report shows, in order. */
    public List<AgentEvent> events() {
        return events.stream().map(Stamped::event).toList();
    }

    /** The page: a complete HTML document with its styles and script inline, referring to nothing outside. */
    public String html() {
        return ReportPage.render(RunModel.of(events, maxValueChars), title, model, maxValueChars);
    }

    /**
     * Writes {@link #html()} to {@code file} as UTF-8, replacing what was there. Blocks on the file system.
     *
     * @throws UncheckedIOException when the file cannot be written
     */
    public void writeTo(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            Files.writeString(file, html(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run report to " + file, e);
        }
    }

    @Override
    public String toString() {
        return "RunReport[" + events.size() + " events, title=" + title + ", model=" + model + "]";
    }

    /**
     * Settings and events of a {@link RunReport}: {@link #build()} for a report of the events added here,
     * {@link #recorder()} for a collector of a live run's events. Not thread-safe; {@code build()} copies.
     */
    public static final class Builder {
        private final List<Stamped> events = new ArrayList<>();
        private String title = DEFAULT_TITLE;
        private @Nullable String model;
        private int maxValueChars = DEFAULT_MAX_VALUE_CHARS;
        private LongSupplier clock = System::nanoTime;

        private Builder() {}

        /** The page's title and heading (default "Run report"). */
        public Builder title(String title) {
            this.title = Objects.requireNonNull(title, "title");
            return this;
        }

        /** The model the run used, shown with each model call (the events do not name it). */
        public Builder model(String model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * The most characters of one value the page shows (a tool's arguments or result, a reply, an error message);
         * the rest is cut with a note. Default {@value RunReport#DEFAULT_MAX_VALUE_CHARS}.
         */
        public Builder maxValueChars(int maxValueChars) {
            if (maxValueChars < 1) {
                throw new IllegalArgumentException("maxValueChars must be at least 1, was " + maxValueChars);
            }
            this.maxValueChars = maxValueChars;
            return this;
        }

        /**
         * The clock a {@link Recorder} stamps events with: nanoseconds from any fixed origin, never going back, like
         * {@link System#nanoTime()} (the default). Called once per event, on the thread that delivers it: must be
         * fast and must not block.
         */
        public Builder clock(LongSupplier nanoTime) {
            this.clock = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /** Adds an event without a time. */
        public Builder event(AgentEvent event) {
            events.add(new Stamped(Objects.requireNonNull(event, "event"), RunModel.NO_TIME));
            return this;
        }

        /**
         * Adds an event that arrived at {@code atNanos} on a monotonic nanosecond clock (any origin; the page shows
         * differences only).
         */
        public Builder event(AgentEvent event, long atNanos) {
            if (atNanos == RunModel.NO_TIME) {
                throw new IllegalArgumentException("atNanos must be a time, was Long.MIN_VALUE");
            }
            events.add(new Stamped(Objects.requireNonNull(event, "event"), atNanos));
            return this;
        }

        /** Adds events without times, in order. */
        public Builder events(Collection<? extends AgentEvent> events) {
            events.forEach(this::event);
            return this;
        }

        /**
         * Adds a stored run's event ({@code agent.events(runId, 1)}), timed by when it was journaled (to the
         * millisecond, on the run store's clock).
         */
        public Builder event(RunEvent event) {
            Objects.requireNonNull(event, "event");
            java.time.Instant t = event.time();
            return event(event.event(), Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L),
                    t.getNano()));
        }

        /** Adds a stored run's events, in order ({@link #event(RunEvent)}). */
        public Builder runEvents(Collection<RunEvent> events) {
            events.forEach(this::event);
            return this;
        }

        public RunReport build() {
            return new RunReport(this);
        }

        /**
         * A recorder with these settings that starts with the events added so far and stamps every event it receives
         * with the {@link #clock(LongSupplier) clock}.
         */
        public Recorder recorder() {
            return new Recorder(build());
        }
    }

    /**
     * Collects a live run's events with the time each arrived: pass it to {@code doOnNext} of {@code task.stream()}
     * or register it as the agent's {@link AgentEvent.Listener}. {@link #report()} makes a report of what it has
     * received so far, at any time.
     *
     * <p>Thread-safe and non-blocking: receiving an event takes one clock reading and one lock-free append. It keeps
     * every event it receives in memory until it is dropped; use one recorder per run (or per agent whose runs all
     * belong on one page).
     */
    public static final class Recorder implements AgentEvent.Listener, Consumer<AgentEvent> {
        private final RunReport settings;
        private final ConcurrentLinkedQueue<Stamped> received = new ConcurrentLinkedQueue<>();

        private Recorder(RunReport settings) {
            this.settings = settings;
        }

        @Override
        public void onEvent(AgentEvent event) {
            accept(event);
        }

        @Override
        public void accept(AgentEvent event) {
            Objects.requireNonNull(event, "event");
            long at = settings.clock.getAsLong();
            received.add(new Stamped(event, at == RunModel.NO_TIME ? at + 1 : at));
        }

        /** A report of the events received so far, with the recorder's settings. */
        public RunReport report() {
            Builder b = settings.toBuilder();
            b.events.addAll(received);
            return b.build();
        }

        @Override
        public String toString() {
            return "RunReport.Recorder[" + received.size() + " events]";
        }
    }
}
