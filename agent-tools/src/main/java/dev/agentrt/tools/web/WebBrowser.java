package dev.agentrt.tools.web;

import dev.agentrt.core.egress.Egress;
import dev.agentrt.core.internal.net.EgressEngine;
import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.internal.net.Response;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.UrlGuard;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.tools.internal.web.PageReader;
import dev.agentrt.tools.internal.web.WebSupport;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code web_browse} tool: fetches a page and returns its title, its text as Markdown (or plain
 * text) and its links, numbered; a later call with {@code {"link": 2}} follows link 2 of the page
 * the same task read last (or of {@code page}, which is then fetched again).
 *
 * <pre>{@code
 * Agent.builder()
 *     .tools(WebBrowser.create())
 *     .grant(Capability.net("docs.oracle.com"))
 *     ...
 * // a development server on this machine or the local network needs a grant that says so:
 * agent.task("Check the dev build").grant(Capability.net("devbox.lan", 8080).allowingPrivateAddresses())...
 * agent.task("Check the local build").grant(Capability.net("127.0.0.1", 8080))...   // the URL names the address
 * }</pre>
 *
 * <p>Security: every request goes through agent-core's egress layer. A call needs
 * {@code Capability.net(host, port)} for the URL (checked by the registry before the call; for links
 * and redirects through {@link ToolContext#require}). The host is resolved once, every address is
 * checked by {@link UrlGuard}, and the connection goes to a checked address. A grant for a name
 * reaches that name's public addresses only: loopback, private, link-local, CGNAT and unique-local
 * addresses need a grant that {@linkplain Capability.Net#allowingPrivateAddresses() allows private
 * addresses}, or a URL that names the address and a grant that names the same address; cloud
 * metadata addresses only the latter. {@code net("*")} never reaches any of them. Only text content
 * is read (HTML, text/*, JSON, XML); bodies are read up to {@link WebLimits#maxResponseBytes()} and
 * calls end after {@link WebLimits#timeout()}.
 *
 * <p>Thread-safe; one instance serves every task. Non-blocking: DNS and socket I/O run on
 * {@code AgentSchedulers.blocking()}. The last page of each task is remembered (for
 * {@code link}) in a bounded map of recent tasks.
 */
public final class WebBrowser implements Tool {
    private static final int MAX_LINKS = 200;
    private static final int REMEMBERED_TASKS = 1024;
    private static final ToolSpec SPEC = new ToolSpec("web_browse", """
            Fetch a web page and read its title, its text (Markdown by default) and its links, numbered [1], [2]… \
            Pass {"url": "https://…"} to open a page, or {"link": n} to follow link n of the page you read last \
            (add "page": its URL if you read other pages since). Only http(s); private and local addresses are \
            refused unless explicitly allowed.""",
            JsonValue
                    .parse("""
                            {"type":"object",
                             "properties":{
                               "url":{"type":"string","description":"Absolute http(s) URL to open"},
                               "link":{"type":"integer","minimum":1,"description":"Number of a link on the last page read"},
                               "page":{"type":"string","description":"URL of the page whose link to follow (default: the last page read)"},
                               "format":{"type":"string","enum":["markdown","text"],"description":"Default markdown"}},
                             "oneOf":[{"required":["url"]},{"required":["link"]}],
                             "additionalProperties":false}""")
                    .asObject());

    private final WebLimits limits;
    private final EgressEngine egress;
    private final String userAgent;
    private final Map<String, Seen> lastPages = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > REMEMBERED_TASKS;
        }
    };

    private WebBrowser(Builder b) {
        this.limits = b.limits;
        this.egress = new EgressEngine(b.limits.egress(), b.network);
        this.userAgent = b.userAgent;
    }

    /** A browser with {@link WebLimits#DEFAULT} that reaches public addresses only. */
    public static WebBrowser create() {
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
        // A link's destination is known only once the page is found; invoke requires it then.
        return arguments.getString("url")
                .map(u -> List.<Capability>of(UrlGuard.parse(u).capability()))
                .orElse(List.of());
    }

    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        boolean markdown = !"text".equals(arguments.getString("format").orElse("markdown"));
        return Mono.defer(() -> {
            String url = arguments.getString("url").orElse(null);
            if (url != null) {
                return open(UrlGuard.parse(url), true, markdown, context);
            }
            int n = (int) (long) arguments.getLong("link").orElse(1L);
            String page = arguments.getString("page").orElse(null);
            Seen seen = remembered(context.taskId());
            if (seen != null && (page == null || seen.matches(page))) {
                return follow(seen, n, markdown, context);
            }
            if (page == null) {
                return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS,
                        "No page was read in this task yet; open one with {\"url\": …} first, or pass \"page\"."));
            }
            return read(UrlGuard.parse(page), false, markdown, context).flatMap(r -> r instanceof Read.Ok ok
                    ? follow(ok.seen, n, markdown, context)
                    : Mono.just(((Read.Failed) r).result));
        }).onErrorResume(e -> Mono.just(Egress.errorResult(e)));
    }

    private Mono<ToolResult> follow(Seen seen, int n, boolean markdown, ToolContext context) {
        if (n > seen.links.size()) {
            return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "The page " + seen.url + " has "
                    + seen.links.size() + " numbered links; there is no link " + n + "."));
        }
        return open(UrlGuard.parse(seen.links.get(n - 1)), false, markdown, context);
    }

    private Mono<ToolResult> open(UrlGuard.Target target, boolean granted, boolean markdown, ToolContext context) {
        return read(target, granted, markdown, context).map(r -> switch (r) {
            case Read.Ok ok -> {
                remember(context.taskId(), ok.seen);
                yield ToolResult.text(ok.text);
            }
            case Read.Failed f -> f.result;
        });
    }

    private sealed interface Read {
        record Ok(Seen seen, String text) implements Read {}

        record Failed(ToolResult result) implements Read {}
    }

    private Mono<Read> read(UrlGuard.Target target, boolean granted, boolean markdown, ToolContext context) {
        var headers = List.of(Map.entry("User-Agent", userAgent),
                Map.entry("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"));
        var call = new EgressEngine.Call("GET", target, headers, null);
        // granted: the registry checked the URL's capability already; links and redirects are checked here.
        return egress.fetch(call, EgressEngine.Gate.of(context), granted, true, r -> {
            String type = WebSupport.mediaType(r.header("content-type"));
            return r.status() < 400 && (type.isEmpty() || WebSupport.isText(type));
        }).map(f -> page(f, markdown));
    }

    private Read page(EgressEngine.Fetched f, boolean markdown) {
        Response r = f.response();
        String url = f.url().uri().toString();
        String contentType = r.header("content-type");
        String type = WebSupport.mediaType(contentType);
        if (r.status() >= 400) {
            return new Read.Failed(ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "The server answered HTTP "
                    + r.status() + " for " + url + "."));
        }
        if (r.status() >= 300) {
            return new Read.Failed(ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "The server answered HTTP "
                    + r.status() + " for " + url + " without a usable Location."));
        }
        if (!r.bodyRead() && !type.isEmpty() && !WebSupport.isText(type)) {
            return new Read.Failed(ToolResult.error(ToolErrorKind.EXECUTION_FAILED, url + " is " + type
                    + ", not a page of text; the browser reads HTML and text only."));
        }
        byte[] body = r.body();
        if (WebSupport.looksBinary(body)) {
            return new Read.Failed(ToolResult.error(ToolErrorKind.EXECUTION_FAILED, url
                    + " holds binary data, not a page of text."));
        }
        boolean html = type.equals("text/html") || type.equals("application/xhtml+xml")
                || (type.isEmpty() && startsLikeHtml(body));
        int maxChars = limits.maxTextChars();
        var out = new StringBuilder(Math.min(maxChars, body.length) + 256);
        List<String> links;
        if (html) {
            Charset cs = WebSupport.charset(contentType);
            PageReader.Page page = PageReader.read(body, cs == null ? null : cs.name(), url, markdown, MAX_LINKS);
            links = page.links();
            out.append("Title: ").append(page.title().isEmpty() ? "(none)" : page.title()).append('\n');
            out.append("URL: ").append(url).append('\n');
            note(out, r, f.redirects());
            out.append('\n').append(WebSupport.clip(page.text(), maxChars)).append('\n');
            if (!links.isEmpty()) {
                out.append("\nLinks:\n");
                for (int i = 0; i < links.size(); i++) {
                    out.append('[').append(i + 1).append("] ").append(links.get(i)).append('\n');
                }
            }
        } else {
            links = List.of();
            out.append("URL: ").append(url).append('\n').append("Content-Type: ").append(type).append('\n');
            note(out, r, f.redirects());
            out.append('\n').append(WebSupport.clip(WebSupport.decode(body, contentType), maxChars)).append('\n');
        }
        return new Read.Ok(new Seen(url, links), out.toString());
    }

    private void note(StringBuilder out, Response r, int redirects) {
        if (redirects > 0) {
            out.append("(reached after ").append(redirects).append(redirects == 1 ? " redirect)\n" : " redirects)\n");
        }
        if (r.truncated()) {
            out.append("(the page is larger than ")
                    .append(limits.maxResponseBytes())
                    .append(" bytes; only the beginning was read)\n");
        }
    }

    private static boolean startsLikeHtml(byte[] body) {
        String head = new String(body, 0, Math.min(body.length, 256), java.nio.charset.StandardCharsets.ISO_8859_1)
                .stripLeading()
                .toLowerCase(java.util.Locale.ROOT);
        return head.startsWith("<!doctype html") || head.startsWith("<html") || head.startsWith("<head")
                || head.startsWith("<body");
    }

    private @Nullable Seen remembered(String taskId) {
        synchronized (lastPages) {
            return lastPages.get(taskId);
        }
    }

    private void remember(String taskId, Seen seen) {
        synchronized (lastPages) {
            lastPages.put(taskId, seen);
        }
    }

    /** The last page a task read: its URL and numbered links. */
    private record Seen(String url, List<String> links) {
        boolean matches(String page) {
            try {
                return UrlGuard.parse(page).uri().toString().equals(url);
            } catch (UrlGuard.RefusedException e) {
                return false;
            }
        }
    }

    /** Configures a {@link WebBrowser}. Not thread-safe; the built tool is. */
    public static final class Builder {
        private WebLimits limits = WebLimits.DEFAULT;
        private Network network = Network.SYSTEM;
        private String userAgent = "agentrt-web/0.1 (+https://github.com/agentrt)";

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

        public Builder userAgent(String userAgent) {
            Objects.requireNonNull(userAgent, "userAgent");
            if (userAgent.isBlank() || userAgent.indexOf('\r') >= 0 || userAgent.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("userAgent must be one non-blank line");
            }
            this.userAgent = userAgent;
            return this;
        }

        public WebBrowser build() {
            return new WebBrowser(this);
        }
    }
}
