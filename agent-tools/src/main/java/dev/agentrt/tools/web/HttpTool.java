package dev.agentrt.tools.web;

import dev.agentrt.core.egress.Egress;
import dev.agentrt.core.internal.net.EgressEngine;
import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.internal.net.Response;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.UrlGuard;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.tools.internal.web.WebSupport;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code http_request} tool, for JSON APIs: a method (GET, POST, PUT, PATCH, DELETE), a URL,
 * headers and a JSON body; the result is JSON with the status, selected response headers and the
 * body (parsed when it is JSON, else text), cut to the limits.
 *
 * <pre>{@code
 * Agent.builder()
 *     .tools(HttpTool.create())
 *     .grant(Capability.net("api.github.com"))
 *     ...
 * }</pre>
 *
 * <p>Security is that of {@link WebBrowser}, agent-core's egress layer: a
 * {@code Capability.net(host, port)} grant per URL and per redirect, {@link UrlGuard} on every
 * address, connections pinned to the checked address; loopback and private addresses only through
 * a grant that {@linkplain Capability.Net#allowingPrivateAddresses() allows private addresses} (or
 * names the address the URL names). The model may
 * not set {@code Host}, framing headers ({@code Content-Length}, {@code Transfer-Encoding},
 * {@code Connection}…) or, unless {@link Builder#allowHeaders} lets it, credentials
 * ({@code Authorization}, {@code Cookie}); credentials are dropped when a redirect leaves the
 * origin. Redirects are followed for every method (303, and 301/302 after POST, become GET).
 *
 * <p>Thread-safe; non-blocking (DNS and socket I/O run on {@code AgentSchedulers.blocking()}).
 */
public final class HttpTool implements Tool {
    private static final Set<String> NEVER = Set.of("host", "content-length", "transfer-encoding", "connection",
            "keep-alive", "te", "trailer", "upgrade", "expect", "accept-encoding", "proxy-connection");
    private static final Set<String> CREDENTIALS = Set.of("authorization", "cookie", "proxy-authorization");
    private static final List<String> SHOWN_HEADERS = List.of("content-type", "content-length", "location",
            "retry-after", "etag", "last-modified", "link", "x-ratelimit-remaining", "x-ratelimit-reset",
            "www-authenticate", "x-request-id", "request-id");
    private static final ToolSpec SPEC = new ToolSpec("http_request", """
            Send an HTTP request to a JSON API and read the status, main headers and body. \
            "json" is sent as the request body with Content-Type application/json.""", JsonValue.parse("""
            {"type":"object",
             "properties":{
               "method":{"type":"string","enum":["GET","POST","PUT","PATCH","DELETE"]},
               "url":{"type":"string","description":"Absolute http(s) URL"},
               "headers":{"type":"object","additionalProperties":{"type":"string"}},
               "json":{"description":"Request body, any JSON value"}},
             "required":["method","url"],
             "additionalProperties":false}""").asObject());

    private final WebLimits limits;
    private final EgressEngine egress;
    private final Set<String> allowedCredentials;

    private HttpTool(Builder b) {
        this.limits = b.limits;
        this.egress = new EgressEngine(b.limits.egress(), b.network);
        this.allowedCredentials = Set.copyOf(b.allowedCredentials);
    }

    /** A tool with {@link WebLimits#DEFAULT} that reaches public addresses only. */
    public static HttpTool create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(UrlGuard.parse(arguments.getString("url").orElseThrow()).capability());
    }

    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        return Mono.defer(() -> {
            String method = arguments.getString("method").orElseThrow();
            UrlGuard.Target target = UrlGuard.parse(arguments.getString("url").orElseThrow());
            var headers = new ArrayList<Map.Entry<String, String>>();
            boolean hasAccept = false;
            boolean hasContentType = false;
            JsonObject given = arguments.getObject("headers").orElse(JsonObject.EMPTY);
            for (var e : given.members().entrySet()) {
                String name = e.getKey().strip();
                String lower = name.toLowerCase(Locale.ROOT);
                String value = e.getValue() instanceof JsonValue.JsonString s ? s.value() : e.getValue().toJson();
                if (!validHeader(name, value)) {
                    return invalid("the header \"" + clip(name) + "\" is not a valid header name and value");
                }
                if (NEVER.contains(lower) || lower.startsWith("proxy-")) {
                    return invalid("the header " + name + " is set by the tool and cannot be given");
                }
                if (CREDENTIALS.contains(lower) && !allowedCredentials.contains(lower)) {
                    return invalid("the header " + name + " carries credentials, which this tool is not allowed to "
                            + "send");
                }
                hasAccept |= lower.equals("accept");
                hasContentType |= lower.equals("content-type");
                headers.add(Map.entry(name, value));
            }
            if (!hasAccept) {
                headers.add(Map.entry("Accept", "application/json, text/*;q=0.5"));
            }
            byte[] body = null;
            JsonValue json = arguments.get("json");
            if (json != null) {
                body = json.toJson().getBytes(StandardCharsets.UTF_8);
                if (!hasContentType) {
                    headers.add(Map.entry("Content-Type", "application/json"));
                }
            }
            headers.add(Map.entry("User-Agent", "agentrt-http/0.1"));
            var call = new EgressEngine.Call(method, target, headers, body);
            // The registry checked the URL's capability (requiredCapabilities); redirects are checked as they come.
            return egress.fetch(call, EgressEngine.Gate.of(context), true, true, r -> WebSupport.isText(WebSupport
                    .mediaType(r.header("content-type"))) || r.header("content-type") == null).map(this::result);
        }).onErrorResume(e -> Mono.just(Egress.errorResult(e)));
    }

    private ToolResult result(EgressEngine.Fetched f) {
        Response r = f.response();
        var out = JsonObject.builder().put("status", r.status()).put("url", f.url().uri().toString());
        var shown = JsonObject.builder();
        for (String h : SHOWN_HEADERS) {
            String v = r.header(h);
            if (v != null) {
                shown.put(h, v);
            }
        }
        out.put("headers", shown.build());
        String contentType = r.header("content-type");
        String type = WebSupport.mediaType(contentType);
        if (!r.bodyRead() || WebSupport.looksBinary(r.body())) {
            if (r.bodyRead() || r.header("content-length") != null || !type.isEmpty()) {
                out.put("body_omitted", "binary content (" + (type.isEmpty() ? "unknown type" : type)
                        + ") is not shown");
            }
        } else {
            String text = WebSupport.decode(r.body(), contentType);
            int max = limits.maxTextChars();
            JsonValue parsed = null;
            if (!r.truncated() && (type.equals("application/json") || type.endsWith("+json"))
                    && text.length() <= max) {
                try {
                    parsed = JsonValue.parse(text);
                } catch (JsonParseException notJson) {
                    // Shown as text below.
                }
            }
            out.put("body", parsed != null ? parsed : JsonValue.of(WebSupport.clip(text, max)));
        }
        if (r.truncated()) {
            out.put("truncated", "the body is larger than " + limits.maxResponseBytes()
                    + " bytes; only the beginning was read");
        }
        if (f.redirects() > 0) {
            out.put("redirects", f.redirects());
        }
        return ToolResult.json(out.build());
    }

    private static boolean validHeader(String name, String value) {
        if (name.isEmpty() || name.length() > 256 || value.length() > 8192) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    private static Mono<ToolResult> invalid(String why) {
        return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "Invalid request: " + why + "."));
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }

    /** Configures an {@link HttpTool}. Not thread-safe; the built tool is. */
    public static final class Builder {
        private WebLimits limits = WebLimits.DEFAULT;
        private Network network = Network.SYSTEM;
        private final Set<String> allowedCredentials = new TreeSet<>();

        private Builder() {}

        public Builder limits(WebLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The resolver, connector, TLS and clock of the egress layer; for tests of this package. */
        Builder network(Network network) {
            this.network = Objects.requireNonNull(network, "network");
            return this;
        }

        /** Lets the model send these credential headers: {@code Authorization}, {@code Cookie}, {@code Proxy-Authorization}. */
        public Builder allowHeaders(String... names) {
            for (String n : names) {
                String lower = n.strip().toLowerCase(Locale.ROOT);
                if (!CREDENTIALS.contains(lower)) {
                    throw new IllegalArgumentException(n + " is not a credential header; others need no permission");
                }
                allowedCredentials.add(lower);
            }
            return this;
        }

        public HttpTool build() {
            return new HttpTool(this);
        }
    }
}
