package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.egress.EgressLimits;
import dev.agentrt.core.internal.net.EgressEngine;
import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.internal.net.Response;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.UrlGuard;
import dev.agentrt.tools.mcp.McpOAuth;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client side of MCP's authorization for one {@link HttpTransport}: discovery, dynamic
 * registration, authorization code with PKCE, refresh (see {@link McpOAuth} for the rules). The
 * transport asks {@link #accessToken()} for each request, {@link #ready()} before sending one, and
 * {@link #unauthorized} after a {@code 401}; concurrent requests that need new tokens share one
 * renewal. Every URL out of metadata is checked before anything is sent to it; tokens are never
 * logged. Non-blocking: every request goes through agent-core's egress layer (see {@link #send}).
 */
final class OAuthFlow {
    private static final Logger log = LoggerFactory.getLogger(OAuthFlow.class);
    private static final TypeRef<Map<String, Object>> OBJECT = new TypeRef<>() {};
    private static final int MAX_BODY_BYTES = 256 * 1024;
    private static final String PRM_PATH = "/.well-known/oauth-protected-resource";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String server;
    private final URI endpoint;
    private final EgressEngine egress;
    private final EgressEngine.Gate gate;
    private final McpOAuth config;
    private final McpJsonMapper json;
    private final Duration timeout;
    private final boolean loopbackEndpoint;
    private final Map<String, Registration> registrations = new ConcurrentHashMap<>();
    private @Nullable Mono<Void> renewal; // guarded by this

    /** An authorization that failed; the message says why, for the caller and the model. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Registration(String clientId, @Nullable String clientSecret, @Nullable String authMethod) {}

    private record ResourceMetadata(URI resource, URI issuer, @Nullable String scopes) {}

    private record ServerMetadata(URI issuer, URI authorization, URI token, @Nullable URI registration,
            List<String> authMethods) {}

    OAuthFlow(String server, URI endpoint, McpOAuth config, McpJsonMapper json, Duration timeout) {
        this.server = server;
        this.endpoint = endpoint;
        this.config = config;
        this.json = json;
        this.timeout = timeout;
        this.loopbackEndpoint = isLoopback(endpoint.getHost());
        this.egress = new EgressEngine(EgressLimits.DEFAULT.withMaxResponseBytes(MAX_BODY_BYTES)
                .withTimeout(timeout)
                .withMaxRedirects(0), Network.SYSTEM);
        Grants reachable = endpointHost(endpoint);
        this.gate = new EgressEngine.Gate() {
            @Override
            public Mono<Void> authorize(Capability.Net capability) {
                // Which hosts may be asked is OAuth's own rule (checked() and the metadata checks), not a grant.
                return Mono.empty();
            }

            @Override
            public List<Grants> addressGrants() {
                return List.of(reachable);
            }
        };
    }

    /** The access token to send, or null before there is one. */
    @Nullable
    String accessToken() {
        McpOAuth.Tokens t = config.tokenStore().load(endpoint);
        return t == null ? null : t.accessToken();
    }

    /** Completes when the token to send is fresh: refreshes (or authorizes anew) an expired one first. */
    Mono<Void> ready() {
        McpOAuth.Tokens t = config.tokenStore().load(endpoint);
        if (t == null || !t.expiredAt(config.clock().instant())) {
            return Mono.empty();
        }
        return renew(t.accessToken(), null, false);
    }

    /**
     * A request that carried {@code used} (null: none) got {@code 401} with {@code challenge} (its
     * {@code WWW-Authenticate}, or null): completes once there are tokens to try again with.
     */
    Mono<Void> unauthorized(@Nullable String used, @Nullable String challenge) {
        return renew(used, challenge, false);
    }

    /**
     * A request that carried {@code used} got {@code 403} with {@code error="insufficient_scope"}: authorizes
     * anew (no refresh: it keeps the scope) for the challenge's scope with the scope granted so far.
     */
    Mono<Void> insufficientScope(@Nullable String used, String challenge) {
        return renew(used, challenge, true);
    }

    /** Whether a {@code 403}'s challenge asks for more scope (step-up authorization). */
    static boolean asksForScope(@Nullable String challenge) {
        return "insufficient_scope".equals(challengeParams(challenge).get("error"));
    }

    private synchronized Mono<Void> renew(@Nullable String used, @Nullable String challenge, boolean stepUp) {
        McpOAuth.Tokens current = config.tokenStore().load(endpoint);
        if (current != null && !current.accessToken().equals(used)
                && !current.expiredAt(config.clock().instant())) {
            return Mono.empty(); // renewed meanwhile by another request
        }
        Mono<Void> running = renewal;
        if (running != null) {
            return running;
        }
        Mono<Void> renew = Mono.defer(() -> {
            McpOAuth.Tokens t = config.tokenStore().load(endpoint);
            if (stepUp) {
                return authorize(challenge, t, true);
            }
            if (t != null && t.refreshToken() != null) {
                return refresh(t).onErrorResume(e -> {
                    log.info("MCP server '{}': refreshing the access token failed ({}); authorizing anew", server,
                            e.getMessage());
                    config.tokenStore().remove(endpoint);
                    return authorize(challenge, t, false);
                });
            }
            return authorize(challenge, t, false);
        }).doFinally(s -> {
            synchronized (this) {
                renewal = null;
            }
        }).cache();
        renewal = renew;
        return renew;
    }

    private Mono<Void> refresh(McpOAuth.Tokens t) {
        String refreshToken = Objects.requireNonNull(t.refreshToken());
        Registration known = registrations.get(t.issuer().toString());
        var client = new Registration(t.clientId(), t.clientSecret(), known == null ? null : known.authMethod());
        return serverMetadata(checked(t.issuer().toString(), "the issuer of the stored tokens")).flatMap(as -> {
            var form = new LinkedHashMap<String, String>();
            form.put("grant_type", "refresh_token");
            form.put("refresh_token", refreshToken);
            form.put("resource", t.resource().toString());
            return tokenRequest(as, client, form)
                    .map(answer -> tokens(answer, t.resource(), as.issuer(), client, refreshToken));
        }).doOnNext(fresh -> config.tokenStore().save(endpoint, fresh)).then();
    }

    private Mono<Void> authorize(@Nullable String challenge, McpOAuth.@Nullable Tokens previous, boolean stepUp) {
        Map<String, String> params = challengeParams(challenge);
        return resourceMetadata(params.get("resource_metadata"))
                .flatMap(prm -> serverMetadata(prm.issuer()).flatMap(as -> client(as, previous).flatMap(c -> {
                    String scope;
                    if (stepUp) {
                        var all = new java.util.LinkedHashSet<String>();
                        for (String s : List.of(previous == null || previous.scope() == null ? "" : previous.scope(),
                                config.scope() == null ? "" : config.scope(), params.getOrDefault("scope", ""))) {
                            all.addAll(List.of(s.trim().split("\\s+")));
                        }
                        all.remove("");
                        scope = all.isEmpty() ? null : String.join(" ", all);
                    } else {
                        scope = config.scope() != null
                                ? config.scope()
                                : params.containsKey("scope") ? params.get("scope") : prm.scopes();
                    }
                    return code(as, prm, c, scope);
                })))
                .then();
    }

    // ---- discovery

    private Mono<ResourceMetadata> resourceMetadata(@Nullable String named) {
        var candidates = new ArrayList<URI>();
        if (named != null) {
            URI u = checked(named, "the resource metadata URL of the WWW-Authenticate header");
            if (!sameOrigin(u, endpoint)) {
                return Mono.error(new Failure("its WWW-Authenticate header names resource metadata on another origin ("
                        + u + "); refused"));
            }
            candidates.add(u);
        } else {
            String path = trimSlash(endpoint.getRawPath());
            if (!path.isEmpty()) {
                candidates.add(origin(endpoint).resolve(PRM_PATH + path));
            }
            candidates.add(origin(endpoint).resolve(PRM_PATH));
        }
        return first(candidates, "protected resource metadata").map(this::resourceMetadata);
    }

    private ResourceMetadata resourceMetadata(Map<String, Object> m) {
        if (!(m.get("resource") instanceof String r)) {
            throw new Failure("its protected resource metadata names no resource");
        }
        URI resource = parse(r, "the resource of its protected resource metadata");
        String resourcePath = trimSlash(resource.getRawPath());
        String path = trimSlash(endpoint.getRawPath());
        if (!sameOrigin(resource, endpoint) || resource.getRawQuery() != null
                || !(path.equals(resourcePath) || path.startsWith(resourcePath + "/"))) {
            throw new Failure("its protected resource metadata is for another resource (" + resource + ", not "
                    + endpoint + "); refused");
        }
        if (!(m.get("authorization_servers") instanceof List<?> servers) || servers.isEmpty()
                || !(servers.getFirst() instanceof String issuer)) {
            throw new Failure("its protected resource metadata names no authorization server");
        }
        String scopes = m.get("scopes_supported") instanceof List<?> l && !l.isEmpty()
                ? String.join(" ", l.stream().map(String::valueOf).toList())
                : null;
        return new ResourceMetadata(resource, checked(issuer, "the authorization server"), scopes);
    }

    private Mono<ServerMetadata> serverMetadata(URI issuer) {
        URI origin = origin(issuer);
        String path = trimSlash(issuer.getRawPath());
        List<URI> candidates = path.isEmpty()
                ? List.of(origin.resolve("/.well-known/oauth-authorization-server"),
                        origin.resolve("/.well-known/openid-configuration"))
                : List.of(origin.resolve("/.well-known/oauth-authorization-server" + path),
                        origin.resolve("/.well-known/openid-configuration" + path),
                        origin.resolve(path + "/.well-known/openid-configuration"));
        return first(candidates, "authorization server metadata for " + issuer).map(m -> {
            if (!(m.get("issuer") instanceof String named) || !trimSlash(named).equals(trimSlash(issuer.toString()))) {
                throw new Failure("the metadata of authorization server " + issuer + " names another issuer ("
                        + m.get("issuer") + "); refused");
            }
            if (!(m.get("code_challenge_methods_supported") instanceof List<?> methods) || !methods.contains("S256")) {
                throw new Failure("authorization server " + issuer + " does not offer PKCE with S256; refused");
            }
            List<String> authMethods = m.get("token_endpoint_auth_methods_supported") instanceof List<?> l
                    ? l.stream().map(String::valueOf).toList()
                    : List.of();
            return new ServerMetadata(issuer, endpointOf(m, "authorization_endpoint", issuer),
                    endpointOf(m, "token_endpoint", issuer),
                    m.get("registration_endpoint") == null ? null : endpointOf(m, "registration_endpoint", issuer),
                    authMethods);
        });
    }

    private URI endpointOf(Map<String, Object> m, String name, URI issuer) {
        if (!(m.get(name) instanceof String url)) {
            throw new Failure("the metadata of authorization server " + issuer + " has no " + name);
        }
        return checked(url, "the " + name + " of authorization server " + issuer);
    }

    /** The first of {@code urls} that answers 200 with a JSON object; a 404 moves on to the next. */
    private Mono<Map<String, Object>> first(List<URI> urls, String what) {
        return Flux.fromIterable(urls)
                .concatMap(url -> send("GET", url, List.of(Map.entry("Accept", "application/json")), null)
                        .flatMap(r -> {
                            if (r.statusCode() == 404) {
                                return Mono.empty();
                            }
                            if (r.statusCode() != 200) {
                                return Mono.error(new Failure(url + " answered HTTP " + r.statusCode() + " for "
                                        + what));
                            }
                            return Mono.just(object(r.body(), what + " at " + url));
                        }))
                .next()
                .switchIfEmpty(Mono.error(() -> new Failure("found no " + what + " (tried " + urls + ")")));
    }

    // ---- registration

    private Mono<Registration> client(ServerMetadata as, McpOAuth.@Nullable Tokens previous) {
        String id = config.clientId();
        if (id != null) {
            return Mono.just(new Registration(id, config.clientSecret(), null));
        }
        Registration known = registrations.get(as.issuer().toString());
        if (known != null) {
            return Mono.just(known);
        }
        if (previous != null && trimSlash(previous.issuer().toString()).equals(trimSlash(as.issuer().toString()))) {
            return Mono.just(new Registration(previous.clientId(), previous.clientSecret(), null));
        }
        URI registration = as.registration();
        if (registration == null) {
            return Mono.error(new Failure("authorization server " + as.issuer() + " offers no dynamic client "
                    + "registration; configure a client with McpOAuth.withClient"));
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("client_name", config.clientName());
        body.put("redirect_uris", List.of(config.redirectUri().toString()));
        body.put("grant_types", List.of("authorization_code", "refresh_token"));
        body.put("response_types", List.of("code"));
        body.put("token_endpoint_auth_method", "none");
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (IOException e) {
            return Mono.error(new Failure("could not encode the registration request", e));
        }
        return send("POST", registration, List.of(Map.entry("Content-Type", "application/json"),
                Map.entry("Accept", "application/json")), text.getBytes(StandardCharsets.UTF_8)).map(r -> {
                    if (r.statusCode() != 201 && r.statusCode() != 200) {
                        throw new Failure("authorization server " + as.issuer() + " refused to register the client"
                                + oauthError(r));
                    }
                    Map<String, Object> m = object(r.body(), "the registration answer");
                    if (!(m.get("client_id") instanceof String clientId) || clientId.isEmpty()) {
                        throw new Failure("authorization server " + as.issuer() + " registered no client_id");
                    }
                    var made = new Registration(clientId, m.get("client_secret") instanceof String s ? s : null,
                            m.get("token_endpoint_auth_method") instanceof String a ? a : null);
                    registrations.put(as.issuer().toString(), made);
                    log.debug("MCP server '{}': registered a client with {}", server, as.issuer());
                    return made;
                });
    }

    // ---- authorization code with PKCE

    private Mono<Void> code(ServerMetadata as, ResourceMetadata prm, Registration c, @Nullable String scope) {
        String verifier = random();
        String state = random();
        var query = new LinkedHashMap<String, String>();
        query.put("response_type", "code");
        query.put("client_id", c.clientId());
        query.put("redirect_uri", config.redirectUri().toString());
        query.put("code_challenge", challengeOf(verifier));
        query.put("code_challenge_method", "S256");
        query.put("state", state);
        query.put("resource", prm.resource().toString());
        if (scope != null && !scope.isBlank()) {
            query.put("scope", scope);
        }
        URI authorize = as.authorization();
        URI url = URI.create(authorize + (authorize.getRawQuery() == null ? "?" : "&") + form(query));
        Mono<URI> answer;
        try {
            answer = config.handler().authorize(url);
        } catch (RuntimeException e) {
            return Mono.error(new Failure("the authorization handler failed: " + e.getMessage(), e));
        }
        return Objects.requireNonNull(answer, "the authorization handler returned null")
                .onErrorMap(e -> !(e instanceof Failure),
                        e -> new Failure("the authorization was not completed: " + e.getMessage(), e))
                .switchIfEmpty(Mono.error(() -> new Failure("the authorization was not completed")))
                .flatMap(redirect -> {
                    Map<String, String> back = redirectParams(redirect, state, as.issuer());
                    var form = new LinkedHashMap<String, String>();
                    form.put("grant_type", "authorization_code");
                    form.put("code", back.get("code"));
                    form.put("redirect_uri", config.redirectUri().toString());
                    form.put("code_verifier", verifier);
                    form.put("resource", prm.resource().toString());
                    return tokenRequest(as, c, form)
                            .map(t -> tokens(t, prm.resource(), as.issuer(), c, null));
                })
                .doOnNext(tokens -> {
                    config.tokenStore().save(endpoint, tokens);
                    log.info("MCP server '{}': authorized by {}", server, as.issuer());
                })
                .then();
    }

    /** The redirect's parameters, once it is the redirect URI, carries our state, and holds a code. */
    private Map<String, String> redirectParams(URI redirect, String state, URI issuer) {
        URI expected = config.redirectUri();
        if (!Objects.equals(redirect.getScheme(), expected.getScheme())
                || !Objects.equals(redirect.getRawAuthority(), expected.getRawAuthority())
                || !Objects.equals(trimSlash(redirect.getRawPath()), trimSlash(expected.getRawPath()))) {
            throw new Failure("the authorization came back to " + redirect.getScheme() + "://"
                    + redirect.getRawAuthority() + redirect.getRawPath() + ", not the redirect URI " + expected);
        }
        Map<String, String> params = queryParams(redirect.getRawQuery());
        if (!state.equals(params.get("state"))) {
            throw new Failure("the authorization came back with another state than the one sent (a forged or stale "
                    + "redirect); refused");
        }
        String iss = params.get("iss");
        if (iss != null && !trimSlash(iss).equals(trimSlash(issuer.toString()))) {
            throw new Failure("the authorization came back from another issuer (" + iss + "); refused");
        }
        String error = params.get("error");
        if (error != null) {
            String description = params.get("error_description");
            throw new Failure("authorization was refused: " + error + (description == null
                    ? ""
                    : " (" + description
                            + ")"));
        }
        if (params.get("code") == null || params.get("code").isEmpty()) {
            throw new Failure("the authorization came back without a code");
        }
        return params;
    }

    // ---- the token endpoint

    private Mono<Map<String, Object>> tokenRequest(ServerMetadata as, Registration c, Map<String, String> form) {
        var headers = new ArrayList<Map.Entry<String, String>>(List.of(
                Map.entry("Content-Type", "application/x-www-form-urlencoded"),
                Map.entry("Accept", "application/json")));
        var body = new LinkedHashMap<>(form);
        String secret = c.clientSecret();
        if (secret == null) {
            body.put("client_id", c.clientId());
        } else if ("client_secret_post".equals(c.authMethod()) || c.authMethod() == null
                && as.authMethods().contains("client_secret_post")
                && !as.authMethods().contains("client_secret_basic")) {
            body.put("client_id", c.clientId());
            body.put("client_secret", secret);
        } else {
            String pair = enc(c.clientId()) + ":" + enc(secret);
            headers.add(Map.entry("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8))));
        }
        String grant = form.get("grant_type");
        return send("POST", as.token(), headers, form(body).getBytes(StandardCharsets.UTF_8)).map(r -> {
            if (r.statusCode() != 200) {
                throw new Failure("the token endpoint of " + as.issuer() + " refused the " + grant + " grant"
                        + oauthError(r));
            }
            return object(r.body(), "the token answer");
        });
    }

    private McpOAuth.Tokens tokens(Map<String, Object> m, URI resource, URI issuer, Registration c,
            @Nullable String previousRefresh) {
        if (!(m.get("access_token") instanceof String access) || access.isEmpty()) {
            throw new Failure("the token answer of " + issuer + " holds no access_token");
        }
        if (!(m.get("token_type") instanceof String type) || !type.equalsIgnoreCase("bearer")) {
            throw new Failure("the token answer of " + issuer + " is not a bearer token (token_type "
                    + m.get("token_type") + ")");
        }
        var expiresAt = m.get("expires_in") instanceof Number n && n.longValue() > 0
                ? config.clock().instant().plusSeconds(n.longValue())
                : null;
        String refresh = m.get("refresh_token") instanceof String s && !s.isEmpty() ? s : previousRefresh;
        return new McpOAuth.Tokens(access, refresh, expiresAt, m.get("scope") instanceof String s ? s : null, resource,
                issuer, c.clientId(), c.clientSecret());
    }

    // ---- HTTP

    /** An answer of the authorization server or the resource's metadata host. */
    private record Answer(int statusCode, byte[] body) {}

    /**
     * Sends one request through agent-core's egress layer: the URL's host is resolved once, every address is
     * checked, and the connection goes to a checked address. The URLs come from metadata a server gave, so a
     * public address is always allowed and a loopback or private one only when the MCP endpoint itself is on
     * that host (its own authorization server beside it, as in development); no redirect is followed, and an
     * answer over {@link #MAX_BODY_BYTES} fails.
     */
    private Mono<Answer> send(String method, URI url, List<Map.Entry<String, String>> headers,
            byte @Nullable [] body) {
        return Mono.defer(() -> {
            UrlGuard.Target target = UrlGuard.parse(url.toString());
            var call = new EgressEngine.Call(method, target, headers, body);
            return egress.fetch(call, gate, true, false, response -> true);
        }).map(fetched -> {
            Response r = fetched.response();
            if (r.truncated()) {
                throw new Failure(method + " " + url + " answered more than " + MAX_BODY_BYTES + " bytes");
            }
            return new Answer(r.status(), r.body());
        })
                .onErrorMap(e -> !(e instanceof Failure),
                        e -> new Failure(method + " " + url + " failed: " + describe(e),
                                e));
    }

    /**
     * The addresses OAuth requests may reach beyond public ones: those of the MCP endpoint's own host (any port),
     * private or loopback ones included, and nothing else.
     */
    private static Grants endpointHost(URI endpoint) {
        String host = endpoint.getHost();
        if (host == null) {
            return Grants.none();
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return Grants.of(Capability.net(bare, 0).allowingPrivateAddresses());
    }

    private Map<String, Object> object(byte[] body, String what) {
        try {
            Map<String, Object> m = json.readValue(new String(body, StandardCharsets.UTF_8), OBJECT);
            if (m == null) {
                throw new IOException("null");
            }
            return m;
        } catch (IOException | RuntimeException e) {
            throw new Failure(what + " is not a JSON object", e);
        }
    }

    /** {@code : error (description)} of an OAuth error answer, or the status. */
    private String oauthError(Answer r) {
        try {
            Map<String, Object> m = json.readValue(new String(r.body(), StandardCharsets.UTF_8), OBJECT);
            if (m != null && m.get("error") instanceof String error) {
                return ": " + error + (m.get("error_description") instanceof String d ? " (" + d + ")" : "")
                        + " (HTTP " + r.statusCode() + ")";
            }
        } catch (IOException | RuntimeException e) {
            // not an OAuth error body: the status says enough
        }
        return " (HTTP " + r.statusCode() + ")";
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    // ---- URLs

    /** {@code raw} as a URL the client may send to: https, or http to loopback from a loopback endpoint. */
    private URI checked(String raw, String what) {
        URI u = parse(raw, what);
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        boolean loopback = isLoopback(u.getHost());
        if (loopback && !loopbackEndpoint) {
            throw new Failure(what + " (" + u + ") is on this machine, but the MCP server is not; refused");
        }
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
            throw new Failure(what + " (" + u + ") is not https; refused");
        }
        return u;
    }

    private static URI parse(String raw, String what) {
        URI u;
        try {
            u = new URI(raw);
        } catch (URISyntaxException e) {
            throw new Failure(what + " is not a URL: " + raw, e);
        }
        if (!u.isAbsolute() || u.getHost() == null || u.getRawUserInfo() != null || u.getRawFragment() != null
                || !(u.getScheme().equalsIgnoreCase("https") || u.getScheme().equalsIgnoreCase("http"))) {
            throw new Failure(what + " is not an absolute http(s) URL without user info or fragment: " + raw);
        }
        return u;
    }

    private static boolean isLoopback(@Nullable String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || h.equals("::1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static URI origin(URI u) {
        return URI.create(u.getScheme() + "://" + u.getRawAuthority() + "/");
    }

    private static String trimSlash(@Nullable String s) {
        if (s == null) {
            return "";
        }
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** The auth-params of a {@code Bearer} challenge ({@code resource_metadata}, {@code scope}, ...). */
    static Map<String, String> challengeParams(@Nullable String header) {
        var out = new LinkedHashMap<String, String>();
        if (header == null) {
            return out;
        }
        String h = header.strip();
        var scheme = java.util.regex.Pattern.compile("(?i)(?:^|[ ,])bearer(?: |$)").matcher(h);
        if (!scheme.find()) {
            return out;
        }
        int i = scheme.end();
        int n = h.length();
        while (i < n) {
            while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
                i++;
            }
            int nameStart = i;
            while (i < n && h.charAt(i) != '=' && h.charAt(i) != ' ' && h.charAt(i) != ',') {
                i++;
            }
            String name = h.substring(nameStart, i).toLowerCase(Locale.ROOT);
            if (i >= n || h.charAt(i) != '=') {
                break; // another scheme's challenge, or a token68: no more params of ours
            }
            i++;
            var value = new StringBuilder();
            if (i < n && h.charAt(i) == '"') {
                i++;
                while (i < n && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(h.charAt(i++));
                }
                i++;
            } else {
                while (i < n && h.charAt(i) != ',' && h.charAt(i) != ' ') {
                    value.append(h.charAt(i++));
                }
            }
            if (!name.isEmpty()) {
                out.putIfAbsent(name, value.toString());
            }
        }
        return out;
    }

    private static Map<String, String> queryParams(@Nullable String rawQuery) {
        var out = new LinkedHashMap<String, String>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(name, value);
        }
        return out;
    }

    private static String form(Map<String, String> values) {
        var b = new StringBuilder();
        values.forEach((k, v) -> {
            if (!b.isEmpty()) {
                b.append('&');
            }
            b.append(enc(k)).append('=').append(enc(v));
        });
        return b.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String challengeOf(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
