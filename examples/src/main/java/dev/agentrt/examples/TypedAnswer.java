package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.StructuredResult;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.examples.support.Offline;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Shows: an agent whose answer is a Java record ({@code task.returning(BugReport.class)}): the schema comes from the
 * record, the model's JSON is validated and mapped, and a bad answer is shown back to the model once.
 * Needs: nothing (offline, scripted model); the same environment variables as {@link QuickStart} for a real model.
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

    public static void main(String[] args) {
        run(System.out, System.getenv());
    }

    /** The recipe: ask for a record instead of text. */
    static StructuredResult<BugReport> recipe(ChatModel model, String mail, PrintStream out) {
        Agent agent = Agent.builder().model(model).instructions("You triage bug reports.").maxSteps(4).build();
        StructuredResult<BugReport> result = agent.task("File a bug report for this mail:\n" + mail)
                .returning(BugReport.class) // JSON Schema from the record; the answer validated and mapped
                .executeForResult()
                .block();
        BugReport report = result.value();
        out.println("Title:     " + report.title());
        out.println("Severity:  " + report.severity());
        out.println("Component: " + report.component());
        out.println("Steps:     " + String.join(" → ", report.stepsToReproduce()));
        out.println("(" + result.result().steps() + " steps)");
        return result;
    }

    static final String MAIL = """
            Since this morning's deploy the checkout page throws a 500 when the cart holds more than
            ten items. Add eleven items, open /checkout, press Pay. Happens for every customer.""";

    /** Runs the recipe on the configured or scripted model; {@code main} and the test call it. */
    static StructuredResult<BugReport> run(PrintStream out, Map<String, String> env) {
        try (Offline offline = Offline.start(out, env)) {
            return recipe(offline.model(TypedAnswer::scripted), MAIL, out);
        }
    }

    /**
     * Offline: the scripted model has no native JSON mode, so the agent asks for the answer through its final-answer
     * tool; the first answer has an unknown severity on purpose and is sent back once.
     */
    private static ChatModel scripted() {
        return ScriptedChatModel.of(
                Reply.toolCall("final_answer", """
                        {"title":"Checkout fails","severity":"URGENT","stepsToReproduce":[],"component":"shop"}"""),
                Reply.toolCall("final_answer", """
                        {"title":"Checkout returns 500 for carts over ten items","severity":"CRITICAL",
                         "stepsToReproduce":["Add eleven items to the cart","Open /checkout","Press Pay"],
                         "component":"checkout"}"""));
    }
}
