package dev.agentrt.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.run.AgentJson;
import dev.agentrt.core.testing.FakeHttpServer;
import dev.agentrt.core.testing.FakeHttpServer.Responder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM runs a task whose model reply calls two tools at once (run one after the other), one of them approved, journaled in SQLite, and is
 * killed with SIGKILL at each await point in turn; a second child resumes the run. Counted at the local fake
 * provider and in the tools' effects file: no model request whose reply was journaled is made again, no
 * non-idempotent tool runs twice, and the final transcript is the one an uninterrupted run gives (but for a call
 * that was running at the kill, which the model is told is in doubt).
 */
class CrashResumeTest {
    @TempDir
    static Path dir;

    private static final FakeHttpServer server = FakeHttpServer.start().otherwise(CrashResumeTest::reply);
    /** The uninterrupted run, made once. */
    private static Outcome2 reference;

    @BeforeAll
    static void uninterrupted() throws Exception {
        reference = run(dir.resolve("reference"), "none");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The fake provider: the first turn calls both tools at once, the second answers. */
    private static Responder reply(FakeHttpServer.Recorded request) {
        boolean answered = request.body().contains("\"role\":\"tool\"");
        String body = answered
                ? delta("{\"role\":\"assistant\",\"content\":\"Invoice 17 is paid.\"}") + finish("stop")
                : delta("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                        + "{\"index\":0,\"id\":\"call_lookup\",\"type\":\"function\",\"function\":{\"name\":\"lookup\","
                        + "\"arguments\":\"{\\\"invoice\\\":17}\"}},"
                        + "{\"index\":1,\"id\":\"call_pay\",\"type\":\"function\",\"function\":{\"name\":\"pay\","
                        + "\"arguments\":\"{\\\"invoice\\\":17}\"}}]}")
                        + finish("tool_calls");
        return Responder.sse(body + usage() + "data: [DONE]\n\n");
    }

    private static String chunk(String choices, String usage) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"gpt-4.1-mini\",\"choices\":" + choices + ",\"usage\":" + usage + "}\n\n";
    }

    private static String delta(String delta) {
        return chunk("[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":null}]", "null");
    }

    private static String finish(String reason) {
        return chunk("[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + reason + "\"}]", "null");
    }

    private static String usage() {
        return chunk("[]", "{\"prompt_tokens\":40,\"completion_tokens\":10,\"total_tokens\":50}");
    }

    private record Outcome2(AgentResult result, List<String> effects, int modelRequests) {}

    @ParameterizedTest
    @ValueSource(strings = {"before-reply-journaled", "after-reply-journaled", "awaiting-approval", "mid-lookup",
            "mid-pay", "after-results-journaled"})
    void aRunKilledAtAnAwaitPointResumesToTheSameEndWithoutRepeatingWork(String point) throws Exception {
        assertThat(reference.result().outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(reference.effects()).containsExactlyInAnyOrder("lookup", "pay");
        assertThat(reference.modelRequests()).isEqualTo(2);

        Outcome2 crashed = run(dir.resolve(point), point);

        assertThat(crashed.result().outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(crashed.effects()).filteredOn("pay"::equals).as("the payment is made once").hasSize(1);
        int lookups = point.equals("mid-lookup") ? 2 : 1;
        assertThat(crashed.effects()).filteredOn("lookup"::equals)
                .as("the idempotent lookup runs again only when it was interrupted")
                .hasSize(lookups);
        // Only a reply that was never journaled is asked for again.
        assertThat(crashed.modelRequests()).isEqualTo(point.equals("before-reply-journaled") ? 3 : 2);
        List<Message> expected = new ArrayList<>(reference.result().transcript());
        if (point.equals("mid-pay")) {
            Message.ToolResult inDoubt = (Message.ToolResult) crashed.result()
                    .transcript()
                    .stream()
                    .filter(m -> m instanceof Message.ToolResult r && r.callId().equals("call_pay"))
                    .findFirst()
                    .orElseThrow();
            assertThat(inDoubt.content()).contains("may or may not have taken effect");
            expected.replaceAll(m -> m instanceof Message.ToolResult r && r.callId().equals("call_pay") ? inDoubt : m);
        }
        assertThat(crashed.result().transcript()).isEqualTo(expected);
        assertThat(crashed.result().text()).isEqualTo(reference.result().text());
    }

    /** Starts a child; kills it at {@code point} (unless none) and resumes in another child. */
    private static Outcome2 run(Path where, String point) throws Exception {
        Files.createDirectories(where);
        Path store = where.resolve("runs.db");
        Path effects = where.resolve("effects.log");
        int before = server.requests().size();
        String first = child(where, "start", store, point, effects, !point.equals("none"));
        String result = point.equals("none") ? first : child(where, "resume", store, "none", effects, false);
        AgentResult r = AgentJson.readResult(JsonValue.parse(result));
        List<String> done = Files.exists(effects) ? Files.readAllLines(effects) : List.of();
        return new Outcome2(r, done, server.requests().size() - before);
    }

    /** Runs one child to its RESULT line, or to its kill point and kills it (SIGKILL); gives the result JSON. */
    private static String child(Path where, String mode, Path store, String point, Path effects, boolean kill)
            throws Exception {
        Path err = where.resolve(mode + ".err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), mode, store.toString(), server.url() + "/v1", point, effects.toString())
                .redirectError(err.toFile())
                .start();
        try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (kill && line.equals("AT " + point)) {
                    p.destroyForcibly();
                    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
                    return "";
                }
                if (line.startsWith("RESULT ")) {
                    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    return line.substring("RESULT ".length());
                }
            }
            p.waitFor(60, TimeUnit.SECONDS);
            throw new AssertionError(mode + " child (" + point + ") ended with " + p.exitValue()
                    + " before its kill point or result; stderr:\n" + Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }
}
