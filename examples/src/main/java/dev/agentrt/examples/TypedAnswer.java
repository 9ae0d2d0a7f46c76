package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.StructuredResult;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Shows: an agent whose answer is a Java record ({@code task.returning(BugReport.class)}): the schema
 * comes from the record, the model's JSON is validated and mapped, a bad answer is corrected once.
 * Needs: nothing (offline, scripted); the same environment variables as {@link QuickStart} for a real model.
 * You will see: the record the agent filled in, and how many steps it took.
 */
public final class TypedAnswer {
    private TypedAnswer() {}

    /** How urgent a bug is. */
    public enum Severity {
        LOW, MEDIUM, HIGH, CRITICAL
    }

    /** The answer the agent must give. */
    public record BugReport(String title, Severity severity, List<String> stepsToReproduce, String component) {}

    static final String MAIL = """
            Since this morning's deploy the checkout page throws a 500 when the cart holds more than
            ten items. Add eleven items, open /checkout, press Pay. Happens for every customer.""";

    public static void main(String[] args) {
        run(System.out, System.getenv());
    }

    static StructuredResult<BugReport> run(PrintStream out, Map<String, String> env) {
        ChatModel model = hostedOrNull(out, env);
        if (model == null) {
            out.println("Running OFFLINE on a scripted model: its first answer is wrong on purpose.");
            // The scripted model has no native JSON mode, so the agent asks for the answer through its
            // final-answer tool; the first answer uses an unknown severity and is sent back once.
            model = ScriptedChatModel.of(
                    Reply.toolCall("final_answer", """
                            {"title":"Checkout fails","severity":"URGENT","stepsToReproduce":[],"component":"shop"}"""),
                    Reply.toolCall("final_answer", """
                            {"title":"Checkout returns 500 for carts over ten items","severity":"CRITICAL",
                             "stepsToReproduce":["Add eleven items to the cart","Open /checkout","Press Pay"],
                             "component":"checkout"}"""));
        }
        Agent agent = Agent.builder().model(model).instructions("You triage bug reports.").maxSteps(4).build();

        StructuredResult<BugReport> result = agent.task("File a bug report for this mail:\n" + MAIL)
                .returning(BugReport.class)
                .executeForResult()
                .block();
        if (result == null) {
            throw new IllegalStateException("the task produced no result");
        }
        BugReport report = result.value();
        out.println("Title:     " + report.title());
        out.println("Severity:  " + report.severity());
        out.println("Component: " + report.component());
        out.println("Steps:     " + String.join(" → ", report.stepsToReproduce()));
        out.println("(" + result.result().steps() + " steps)");
        return result;
    }

    private static ChatModel hostedOrNull(PrintStream out, Map<String, String> env) {
        boolean configured = env.containsKey("ANTHROPIC_API_KEY") || env.containsKey("OPENAI_API_KEY")
                || env.containsKey("OPENAI_BASE_URL") && env.containsKey("AGENT_MODEL");
        return configured ? QuickStart.model(out, env) : null;
    }
}
