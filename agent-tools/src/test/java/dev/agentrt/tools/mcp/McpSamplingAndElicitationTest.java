package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The client's sampling and elicitation capabilities against the reference server-everything, whose
 * {@code trigger-sampling-request} and {@code trigger-elicitation-request} tools send those requests back to the
 * client (and exist only when the client declared the capability).
 */
class McpSamplingAndElicitationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final McpSamplingApprover APPROVE = r -> Mono.just(Decision.approveOnce());

    private static ToolResult call(McpTools tools, String tool, String args) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c1", tool, args), ToolExecution.of("t", Principal.ANONYMOUS,
                        Grants.of(tools.capability())))
                .block(WAIT);
    }

    private static ToolResult sample(McpTools tools, String prompt, int maxTokens) {
        return call(tools, "trigger-sampling-request", "{\"prompt\":\"" + prompt + "\",\"maxTokens\":" + maxTokens
                + "}");
    }

    private static McpTools connect(McpTools.Builder builder) {
        return builder.connect().block(WAIT);
    }

    private static List<String> toolNames(McpTools tools) {
        return tools.tools().stream().map(t -> t.spec().name()).toList();
    }

    @Test
    void anApprovedSamplingRequestIsAnsweredByTheModelAndTheServerGetsItsReply() {
        var model = ScriptedChatModel.of(Reply.text("Six times seven is 42."));
        var seen = new ConcurrentLinkedQueue<McpSamplingRequest>();
        McpSamplingApprover approver = r -> {
            seen.add(r);
            return Mono.just(Decision.approveOnce());
        };
        try (McpTools tools = connect(McpTools.builder("everything", TestServers.everything())
                .sampling(model, McpSamplingOptions.approvedBy(approver)))) {
            ToolResult r = sample(tools, "what is 6*7?", 50);

            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).contains("LLM sampling result")
                    .contains("\"text\": \"Six times seven is 42.\"")
                    .contains("\"role\": \"assistant\"")
                    .contains("\"model\": \"ScriptedChatModel\"")
                    .contains("\"stopReason\": \"endTurn\"");
            ChatRequest sent = model.lastRequest();
            assertThat(sent.messages()).containsExactly(Message.system("You are a helpful test server."),
                    Message.user("Resource trigger-sampling-request context: what is 6*7?"));
            assertThat(sent.tools()).isEmpty();
            assertThat(sent.options().maxTokens()).isEqualTo(50);
            assertThat(sent.options().temperature()).isEqualTo(0.7);
            assertThat(seen).singleElement().satisfies(req -> {
                assertThat(req.server()).isEqualTo("everything");
                assertThat(req.chatRequest()).isEqualTo(sent);
                assertThat(req.requestedMaxTokens()).isEqualTo(50);
                assertThat(req.modelHints()).isEmpty();
                assertThat(req.tokensLeft()).isEqualTo(McpSamplingOptions.DEFAULT_TOKEN_BUDGET);
                assertThat(req.summary()).contains("MCP server 'everything' asks the model (up to 50 tokens):")
                        .contains("user: Resource trigger-sampling-request context: what is 6*7?");
            });
        }
    }

    @Test
    void aRequestAskingForMoreTokensThanTheCapGetsTheCap() {
        var model = ScriptedChatModel.of(Reply.text("short"));
        try (McpTools tools = connect(McpTools.builder("everything", TestServers.everything())
                .sampling(model, McpSamplingOptions.approvedBy(APPROVE).withMaxTokens(20)))) {
            ToolResult r = sample(tools, "write a long story", 500);

            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(model.lastRequest().options().maxTokens()).isEqualTo(20);
        }
    }

    @Test
    void aRefusedSamplingRequestNeverReachesTheModelAndTheServerIsToldWhy() {
        var model = ScriptedChatModel.of(Reply.text("never sent"));
        try (McpTools tools = connect(McpTools.builder("everything", TestServers.everything())
                .sampling(model, McpSamplingOptions.approvedBy(r -> Mono.just(Decision.deny("not on a Sunday")))))) {
            ToolResult r = sample(tools, "hello", 10);

            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("sampling request refused by the client: not on a Sunday")
                    .doesNotContain("never sent");
            assertThat(model.requests()).isEmpty();
        }
    }

    @Test
    void anApproverThatGivesNoDecisionOrFailsRefuses() {
        var model = ScriptedChatModel.of(Reply.text("never sent"));
        try (McpTools silent = connect(McpTools.builder("everything", TestServers.everything())
                .sampling(model, McpSamplingOptions.approvedBy(r -> Mono.empty())));
                McpTools broken = connect(McpTools.builder("everything", TestServers.everything())
                        .sampling(model, McpSamplingOptions.approvedBy(r -> {
                            throw new IllegalStateException("approval service down");
                        })))) {
            assertThat(sample(silent, "hello", 10).content())
                    .contains("sampling request refused by the client: the approver gave no decision");
            ToolResult failed = sample(broken, "hello", 10);
            assertThat(failed.content()).contains("sampling request refused by the client: the approver failed")
                    .doesNotContain("approval service down");
            assertThat(model.requests()).isEmpty();
        }
    }

    @Test
    void aRequestBeyondTheTokenBudgetIsRefusedWithoutAskingTheApproverOrTheModel() {
        var model = ScriptedChatModel.of(Reply.of("first answer", List.of(), Usage.of(60, 30)),
                Reply.text("never sent"));
        var asked = new ConcurrentLinkedQueue<McpSamplingRequest>();
        McpSamplingApprover approver = r -> {
            asked.add(r);
            return Mono.just(Decision.approveOnce());
        };
        try (McpTools tools = connect(McpTools.builder("everything", TestServers.everything())
                .sampling(model, McpSamplingOptions.approvedBy(approver).withTokenBudget(150)))) {
            ToolResult first = sample(tools, "one", 100);
            assertThat(first.content()).as(first.content()).contains("first answer");

            // 90 tokens used: 60 are left, fewer than the 100 the next request may produce.
            ToolResult second = sample(tools, "two", 100);
            assertThat(second.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(second.content()).contains("sampling request refused: the client's token budget for this "
                    + "server (150 tokens) has 60 tokens left, fewer than the request's maxTokens of 100");
            assertThat(model.requests()).hasSize(1);
            assertThat(asked).hasSize(1);

            // A request that fits what is left still goes through.
            ToolResult third = sample(tools, "three", 60);
            assertThat(third.isError()).as(third.content()).isFalse();
            assertThat(third.content()).contains("never sent");
            assertThat(asked).extracting(McpSamplingRequest::tokensLeft).containsExactly(150L, 60L);
        }
    }

    @Test
    void aModelFailureReachesTheServerAsAnErrorAndReleasesTheBudget() {
        var model = ScriptedChatModel.of(Reply.error(new ModelException("the provider is overloaded")),
                Reply.text("second try worked"));
        try (McpTools tools = connect(McpTools.builder("everything", TestServers.everything())
                .sampling(model, McpSamplingOptions.approvedBy(APPROVE).withTokenBudget(100)))) {
            ToolResult failed = sample(tools, "hello", 100);

            assertThat(failed.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(failed.content()).contains("sampling failed: the client's model failed: the provider is "
                    + "overloaded");
            // The failed call held 100 tokens of the budget while it ran, and gave them back.
            ToolResult retried = sample(tools, "hello", 100);
            assertThat(retried.content()).as(retried.content()).contains("second try worked");
        }
    }

    private static final JsonObject VALID = JsonValue.parse("""
            {"name": "Ada Lovelace", "check": true, "integer": 7, "untitledSingleSelectEnum": "Ross"}
            """).asObject();

    @Test
    void anAcceptedElicitationSendsTheUsersContent() {
        var seen = new ConcurrentLinkedQueue<McpElicitationRequest>();
        McpElicitationHandler handler = req -> {
            seen.add(req);
            return Mono.just(McpElicitationAnswer.accept(VALID));
        };
        try (McpTools tools = connect(McpTools.builder("everything", TestServers.everything()).elicitation(handler))) {
            ToolResult r = call(tools, "trigger-elicitation-request", "{}");

            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).contains("User provided the requested information")
                    .contains("- Name: Ada Lovelace")
                    .contains("- Agreed to terms: true")
                    .contains("- Favorite Integer: 7")
                    .contains("\"action\": \"accept\"");
            assertThat(seen).singleElement().satisfies(req -> {
                assertThat(req.server()).isEqualTo("everything");
                assertThat(req.message()).isEqualTo("Please provide inputs for the following fields:");
                assertThat(req.requestedSchema().getObject("properties").orElseThrow().has("birthdate")).isTrue();
            });
        }
    }

    @Test
    void aDeclinedOrCancelledElicitationSaysSoWithoutContent() {
        try (McpTools declining = connect(McpTools.builder("everything", TestServers.everything())
                .elicitation(req -> Mono.just(McpElicitationAnswer.decline())));
                McpTools cancelling = connect(McpTools.builder("everything", TestServers.everything())
                        .elicitation(req -> Mono.just(McpElicitationAnswer.cancel())));
                McpTools silent = connect(McpTools.builder("everything", TestServers.everything())
                        .elicitation(req -> Mono.empty()))) {
            ToolResult declined = call(declining, "trigger-elicitation-request", "{}");
            assertThat(declined.content()).contains("User declined")
                    .contains("\"action\": \"decline\"")
                    .doesNotContain("\"content\"");
            ToolResult cancelled = call(cancelling, "trigger-elicitation-request", "{}");
            assertThat(cancelled.content()).contains("User cancelled").contains("\"action\": \"cancel\"");
            ToolResult noAnswer = call(silent, "trigger-elicitation-request", "{}");
            assertThat(noAnswer.content()).contains("User cancelled");
        }
    }

    @Test
    void contentThatDoesNotMatchTheRequestedSchemaIsNeverSent() {
        JsonObject missingName = JsonValue.parse("{\"check\": true, \"integer\": 7}").asObject();
        JsonObject outOfRange = JsonValue.parse("{\"name\": \"Ada\", \"integer\": 5000, \"check\": \"yes\"}")
                .asObject();
        var answers = new ConcurrentLinkedQueue<>(List.of(missingName, outOfRange));
        try (McpTools tools = connect(McpTools.builder("everything", TestServers.everything())
                .elicitation(req -> Mono.just(McpElicitationAnswer.accept(answers.remove()))))) {
            ToolResult missing = call(tools, "trigger-elicitation-request", "{}");
            assertThat(missing.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(missing.content()).contains("elicitation failed: the client's answer does not match the "
                    + "requested schema, so it was not sent (wrong at $)")
                    .doesNotContain("User provided");

            ToolResult wrong = call(tools, "trigger-elicitation-request", "{}");
            assertThat(wrong.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(wrong.content()).contains("wrong at $.")
                    .contains("$.integer")
                    .contains("$.check")
                    .doesNotContain("5000")
                    .doesNotContain("yes")
                    .doesNotContain("Ada");
        }
    }

    @Test
    void aFailingElicitationHandlerAnswersTheServerWithAnError() {
        try (McpTools tools = connect(McpTools.builder("everything", TestServers.everything())
                .elicitation(req -> Mono.error(new IllegalStateException("the form service is down"))))) {
            ToolResult r = call(tools, "trigger-elicitation-request", "{}");
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("elicitation failed: the client could not answer")
                    .doesNotContain("form service");
        }
    }

    @Test
    void bothWorkOverStreamableHttp() throws Exception {
        int port = TestServers.freePort();
        var builder = new ProcessBuilder(TestServers.node(), TestServers.npmServer("server-everything"),
                "streamableHttp");
        builder.environment().put("PORT", Integer.toString(port));
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process server = builder.start();
        try (var stderr = server.errorReader()) {
            String line;
            while ((line = stderr.readLine()) != null && !line.contains("listening")) {
                // wait for the server to listen
            }
            assertThat(line).as("server-everything did not start listening").isNotNull();
            var model = ScriptedChatModel.of(Reply.text("over http"));
            try (McpTools http = connect(McpTools.builder("remote",
                    McpTransportSpec.http("http://localhost:" + port + "/mcp"))
                    .sampling(model, McpSamplingOptions.approvedBy(APPROVE))
                    .elicitation(req -> Mono.just(McpElicitationAnswer.accept(VALID))))) {
                ToolResult sampled = sample(http, "hello", 10);
                assertThat(sampled.isError()).as(sampled.content()).isFalse();
                assertThat(sampled.content()).contains("\"text\": \"over http\"");
                ToolResult elicited = call(http, "trigger-elicitation-request", "{}");
                assertThat(elicited.content()).as(elicited.content()).contains("- Name: Ada Lovelace");
            }
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void eachCapabilityIsDeclaredOnlyWhenConfigured() {
        var model = ScriptedChatModel.of(Reply.text("unused"));
        try (McpTools plain = connect(McpTools.builder("plain", TestServers.everything()));
                McpTools sampling = connect(McpTools.builder("sampling", TestServers.everything())
                        .sampling(model, McpSamplingOptions.approvedBy(APPROVE)));
                McpTools eliciting = connect(McpTools.builder("eliciting", TestServers.everything())
                        .elicitation(req -> Mono.just(McpElicitationAnswer.decline())))) {
            // server-everything registers these tools only for a client that declared the capability.
            assertThat(toolNames(plain)).contains("echo")
                    .doesNotContain("trigger-sampling-request", "trigger-elicitation-request");
            assertThat(toolNames(sampling)).contains("trigger-sampling-request")
                    .doesNotContain("trigger-elicitation-request");
            assertThat(toolNames(eliciting)).contains("trigger-elicitation-request")
                    .doesNotContain("trigger-sampling-request");
        }
        assertThat(model.requests()).isEmpty();
    }
}
