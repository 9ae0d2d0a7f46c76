package dev.agentrt.tools.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.contract.ToolContract;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.testing.FakeHttpServer;
import dev.agentrt.core.testing.FakeHttpServer.Responder;
import dev.agentrt.core.testing.TestNetwork;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

class HttpToolTest extends ToolContract {
    @RegisterExtension
    final TestNetwork net = TestNetwork.loopbackOnly().withSystemResolver();

    final FakeHttpServer server = FakeHttpServer.start().otherwise(r -> Responder.json(200, "{\"ok\":true}"));
    final HttpTool tool = HttpTool.builder().network(net.network()).build();

    @AfterEach
    void stop() {
        server.close();
    }

    @Override
    protected Tool tool() {
        return tool;
    }

    @Override
    protected JsonObject validArguments() {
        return JsonObject.builder().put("method", "GET").put("url", server.url() + "/status").build();
    }

    @Override
    protected Grants grants() {
        return Grants.of(Capability.net("127.0.0.1"));
    }

    ToolResult call(HttpTool t, String arguments, Capability... grants) {
        return ToolRegistry.of(t)
                .execute(new ToolCall("c1", "http_request", arguments),
                        ToolExecution.of("t1", Principal.ANONYMOUS, Grants.of(grants)))
                .block(Duration.ofSeconds(30));
    }

    @Test
    void aGetReturnsStatusSelectedHeadersAndTheParsedJsonBody() {
        server.enqueue(Responder.json(200, "{\"items\":[1,2]}", "ETag", "\"v1\"", "Set-Cookie", "s=1"));
        ToolResult r = call(tool, "{\"method\":\"GET\",\"url\":\"" + server.url() + "/items?q=1\"}",
                Capability.net("127.0.0.1"));
        assertThat(r.isError()).as(r.content()).isFalse();
        JsonObject json = JsonValue.parse(r.content()).asObject();
        assertThat(json.getLong("status")).contains(200L);
        assertThat(json.getObject("headers").orElseThrow().getString("etag")).contains("\"v1\"");
        assertThat(json.getObject("headers").orElseThrow().has("set-cookie")).isFalse();
        assertThat(json.get("body")).isEqualTo(JsonValue.parse("{\"items\":[1,2]}"));
        assertThat(server.lastRequest().path()).isEqualTo("/items?q=1");
    }

    @Test
    void aPostSendsTheJsonBodyAndTheModelsHeaders() {
        server.enqueue(Responder.json(201, "{\"id\":7}", "Location", "/items/7"));
        ToolResult r = call(tool, """
                {"method":"POST","url":"%s/items","headers":{"X-Trace":"abc"},"json":{"name":"x","n":[1]}}"""
                .formatted(server.url()), Capability.net("127.0.0.1"));
        JsonObject json = JsonValue.parse(r.content()).asObject();
        assertThat(json.getLong("status")).contains(201L);
        assertThat(json.getObject("headers").orElseThrow().getString("location")).contains("/items/7");
        assertThat(json.get("body")).isEqualTo(JsonValue.parse("{\"id\":7}"));
        var sent = server.lastRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.body()).isEqualTo("{\"name\":\"x\",\"n\":[1]}");
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("X-Trace")).isEqualTo("abc");
    }

    @Test
    void hostFramingAndCredentialHeadersAreRefusedUnlessConfigured() {
        for (String h : new String[]{"Host", "Content-Length", "Transfer-Encoding", "Authorization", "Cookie"}) {
            ToolResult r = call(tool, "{\"method\":\"GET\",\"url\":\"" + server.url() + "/\",\"headers\":{\"" + h
                    + "\":\"x\"}}", Capability.net("127.0.0.1"));
            assertThat(r.errorKind()).as(h).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        }
        assertThat(server.requests()).isEmpty();
        HttpTool withAuth = HttpTool.builder()
                .network(net.network())
                .allowHeaders("Authorization")
                .build();
        call(withAuth,
                "{\"method\":\"GET\",\"url\":\"" + server.url() + "/\",\"headers\":{\"Authorization\":\"Bearer t\"}}",
                Capability.net("127.0.0.1"));
        assertThat(server.lastRequest().header("Authorization")).isEqualTo("Bearer t");
    }

    @Test
    void aRedirectToAPrivateAddressIsRefusedAndCredentialsDoNotLeaveTheOrigin() {
        server.enqueue(ex -> {
            ex.getResponseHeaders().set("Location", "http://10.0.0.1/internal");
            ex.sendResponseHeaders(307, -1);
        });
        ToolResult r = call(tool, "{\"method\":\"DELETE\",\"url\":\"" + server.url() + "/x\"}", Capability.net("*"),
                Capability.net("127.0.0.1"));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("10.0.0.1");
        assertThat(server.requests()).hasSize(1);
        assertThat(net.connects()).hasSize(1);
    }

    @Test
    void aGrantedApiNameThatResolvesToAPrivateAddressIsRefusedWithoutConnecting() {
        ToolResult r = call(tool, "{\"method\":\"GET\",\"url\":\"http://intranet.example.com/api\"}",
                Capability.net("intranet.example.com"));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("10.0.0.5", "private");
        assertThat(net.connects()).isEmpty();
    }

    @Test
    void aSeeOtherRedirectBecomesAGetOnTheSameServer() {
        server.enqueue(ex -> {
            ex.getResponseHeaders().set("Location", "/done");
            ex.sendResponseHeaders(303, -1);
        }, Responder.json(200, "{\"done\":true}"));
        ToolResult r = call(tool, "{\"method\":\"POST\",\"url\":\"" + server.url() + "/jobs\",\"json\":{}}",
                Capability.net("127.0.0.1"));
        JsonObject json = JsonValue.parse(r.content()).asObject();
        assertThat(json.getLong("redirects")).contains(1L);
        assertThat(server.requests()).extracting(FakeHttpServer.Recorded::method).containsExactly("POST", "GET");
        assertThat(server.lastRequest().body()).isEmpty();
    }
}
