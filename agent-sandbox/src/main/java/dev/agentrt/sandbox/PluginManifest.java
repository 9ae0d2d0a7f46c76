package dev.agentrt.sandbox;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a WASM tool plugin is and what it needs: its tool name, description and input schema, and
 * the capabilities it asks for (hosts its HTTP calls may reach, host directories mounted into its
 * file system, environment variables). The plugin gets exactly these and nothing else, and a call
 * runs only if the task's grants cover all of them. See {@code PLUGIN-ABI.md} for the module side.
 *
 * <p>A host in {@code hosts} is reached at its public addresses only, or, for an IP literal, at that
 * address. A host the plugin must reach on the local network (a name resolving to a loopback,
 * private or link-local address) goes in {@code private_hosts}: it asks for
 * {@code Capability.net(host).allowingPrivateAddresses()}, which the task must be granted as such.
 *
 * <pre>{@code
 * {
 *   "name": "http_status",
 *   "description": "Fetches a URL and returns its status and body",
 *   "input_schema": {"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]},
 *   "capabilities": {
 *     "hosts": ["api.example.com", "127.0.0.1:8080"],
 *     "private_hosts": ["devbox.lan:8080"],
 *     "files": [{"path": "/srv/data", "mount": "/data", "write": false}],
 *     "env": ["LANG"]
 *   }
 * }
 * }</pre>
 *
 * @param name the tool name the model calls
 * @param description what the tool does, for the model
 * @param inputSchema JSON Schema of the tool's arguments (an object schema)
 * @param hosts host patterns as {@link Capability#net(String)} takes them, optionally with {@code :port}
 * @param privateHosts as {@code hosts}, for hosts whose non-public addresses the plugin must reach
 * @param files host directories and where the plugin sees them
 * @param env names of host environment variables passed to the plugin
 */
public record PluginManifest(String name, String description, JsonObject inputSchema, List<String> hosts,
        List<String> privateHosts, List<Mount> files, List<String> env) {
    public PluginManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(inputSchema, "inputSchema");
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException(
                    "manifest name must be 1 to 64 letters, digits, '_' or '-', was '" + name + "'");
        }
        if (description.isBlank()) {
            throw new IllegalArgumentException("manifest description must not be blank");
        }
        if (!inputSchema.getString("type").map("object"::equals).orElse(false)) {
            throw new IllegalArgumentException(
                    "manifest input_schema must be an object schema ({\"type\":\"object\"})");
        }
        hosts = List.copyOf(hosts);
        privateHosts = List.copyOf(privateHosts);
        files = List.copyOf(files);
        env = List.copyOf(env);
        capabilities(hosts, privateHosts, files, env);
    }

    /** A manifest whose hosts are all reached at public addresses (or the addresses they name). */
    public PluginManifest(String name, String description, JsonObject inputSchema, List<String> hosts,
            List<Mount> files, List<String> env) {
        this(name, description, inputSchema, hosts, List.of(), files, env);
    }

    /** Reads a manifest from its JSON text; throws {@link IllegalArgumentException} naming what is wrong. */
    public static PluginManifest parse(String json) {
        JsonValue value;
        try {
            value = JsonValue.parse(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("manifest is not JSON: " + e.getMessage(), e);
        }
        if (!(value instanceof JsonObject o)) {
            throw new IllegalArgumentException("manifest must be a JSON object");
        }
        String name = o.getString("name").orElseThrow(() -> new IllegalArgumentException("manifest has no name"));
        String description = o.getString("description")
                .orElseThrow(() -> new IllegalArgumentException("manifest has no description"));
        JsonObject schema = o.getObject("input_schema")
                .orElseThrow(() -> new IllegalArgumentException("manifest has no input_schema object"));
        JsonObject caps = o.getObject("capabilities").orElse(JsonObject.EMPTY);
        List<String> hosts = strings(caps, "hosts");
        List<String> privateHosts = strings(caps, "private_hosts");
        List<String> env = strings(caps, "env");
        var files = new ArrayList<Mount>();
        for (JsonValue f : caps.getArray("files").orElse(JsonArray.EMPTY).items()) {
            if (!(f instanceof JsonObject file)) {
                throw new IllegalArgumentException("manifest capabilities.files entries must be objects");
            }
            String path = file.getString("path")
                    .orElseThrow(() -> new IllegalArgumentException("manifest capabilities.files entry has no path"));
            String mount = file.getString("mount")
                    .orElseThrow(() -> new IllegalArgumentException("manifest capabilities.files entry has no mount"));
            files.add(new Mount(Path.of(path), mount, file.getBoolean("write").orElse(false)));
        }
        return new PluginManifest(name, description, schema, hosts, privateHosts, files, env);
    }

    /** The capabilities the plugin asks for; a call needs every one of them granted. */
    public List<Capability> capabilities() {
        return capabilities(hosts, privateHosts, files, env);
    }

    /** The {@code Net} capabilities of {@code hosts} and {@code private_hosts}, in that order. */
    public List<Capability> networkCapabilities() {
        return capabilities(hosts, privateHosts, List.of(), List.of());
    }

    private static List<Capability> capabilities(List<String> hosts, List<String> privateHosts, List<Mount> files,
            List<String> env) {
        var caps = new ArrayList<Capability>();
        for (String h : hosts) {
            caps.add(host(h));
        }
        for (String h : privateHosts) {
            Capability.Net net = host(h);
            try {
                caps.add(net.allowingPrivateAddresses());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("manifest private host '" + h + "': " + e.getMessage(), e);
            }
        }
        for (Mount m : files) {
            caps.add(Capability.fileRead(m.host()));
            if (m.writable()) {
                caps.add(Capability.fileWrite(m.host()));
            }
        }
        for (String e : env) {
            caps.add(Capability.env(e));
        }
        return List.copyOf(caps);
    }

    private static Capability.Net host(String h) {
        int colon = h.lastIndexOf(':');
        if (colon > 0 && h.indexOf(':') == colon) {
            int port;
            try {
                port = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("manifest host '" + h + "' has a port that is not a number");
            }
            return Capability.net(h.substring(0, colon), port);
        }
        return Capability.net(h);
    }

    private static List<String> strings(JsonObject o, String name) {
        var out = new ArrayList<String>();
        for (JsonValue v : o.getArray(name).orElse(JsonArray.EMPTY).items()) {
            if (!(v instanceof JsonValue.JsonString s)) {
                throw new IllegalArgumentException("manifest capabilities." + name + " must hold strings");
            }
            out.add(s.value());
        }
        return out;
    }
}
