package dev.agentrt.examples.support;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.tool.ToolErrorKind;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Prints a task's events as the examples show them, one line each: tool calls ({@code →}), their results
 * ({@code ←}), refusals and failures ({@code ✗}), approvals ({@code ?} asked, {@code !} decided) and steps; the
 * model's text streams onto its own lines.
 *
 * <pre>{@code
 * agent.task("...").stream().doOnNext(Console.events(System.out)).blockLast();
 * Agent.builder().listener(Console.listener(System.out))...   // or every event of the agent's tasks
 * }</pre>
 *
 * <p>Each printer keeps what it printed of the task: use one per task (or per agent that runs one task at a time), from
 * that task's events only (a task emits its events one at a time).
 */
public final class Console {
    private static final int MAX_LINE = 160;

    private Console() {}

    /** A printer of one task's events to {@code out}. */
    public static Consumer<AgentEvent> events(PrintStream out) {
        return new Printer(Objects.requireNonNull(out, "out"));
    }

    /** A printer of the events of an agent's tasks to {@code out}, for an agent that runs one task at a time. */
    public static AgentEvent.Listener listener(PrintStream out) {
        return new Printer(Objects.requireNonNull(out, "out"));
    }

    private static final class Printer implements Consumer<AgentEvent>, AgentEvent.Listener {
        private final PrintStream out;
        /** Calls whose refusal was printed: their error result says the same again. */
        private final Set<String> refused = new HashSet<>();
        private boolean midLine;

        Printer(PrintStream out) {
            this.out = out;
        }

        @Override
        public void onEvent(AgentEvent event) {
            accept(event);
        }

        @Override
        public void accept(AgentEvent event) {
            if (event instanceof AgentEvent.TextDelta delta) {
                out.print(delta.text());
                midLine = true;
                return;
            }
            String line = switch (event) {
                case AgentEvent.ToolCallRequested e -> "→ tool call " + e.call().name() + " " + e.call().arguments();
                case AgentEvent.ToolCallCompleted e -> "← " + e.call().name() + ": " + abbreviate(e.result());
                case AgentEvent.PermissionDenied e -> {
                    refused.add(e.call().id());
                    yield "✗ denied " + e.call().name() + ": " + abbreviate(e.reason());
                }
                case AgentEvent.ApprovalRequested e -> "? approval asked for " + e.call().name() + " "
                        + e.call().arguments() + ", which needs "
                        + e.missing().stream().map(c -> c.describe()).toList();
                case AgentEvent.ApprovalDecided e -> "! approval for " + e.call().name() + ": " + e.decision().kind()
                        + " (" + e.decision().reason() + ")";
                case AgentEvent.ToolCallFailed e when e.kind() == ToolErrorKind.PERMISSION_DENIED
                        && refused.contains(e.call().id()) ->
                    null;
                case AgentEvent.ToolCallFailed e -> "✗ " + e.call().name() + " failed (" + e.kind() + "): "
                        + abbreviate(e.message());
                case AgentEvent.StepDone e -> "  [step " + e.step() + " done]";
                default -> null;
            };
            if (line == null) {
                return;
            }
            if (midLine) {
                out.println();
                midLine = false;
            }
            out.println(line);
        }
    }

    /** One line of at most {@value #MAX_LINE} characters: line breaks shown as {@code |}. */
    private static String abbreviate(String text) {
        String line = text.strip().replace("\n", " | ");
        return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE) + "…";
    }
}
