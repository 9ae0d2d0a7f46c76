package dev.agentrt.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code agentrt.*} properties: the model, the agent's settings, memory, the run store, grants, tools and
 * telemetry. Settings left unset keep {@code Agent.Builder}'s defaults.
 *
 * <pre>
 * agentrt.model=anthropic:claude-sonnet-4-5        # the key from ANTHROPIC_API_KEY (environment or properties)
 * agentrt.instructions=You are a careful assistant.
 * agentrt.memory.path=./agent_memory
 * agentrt.runs.store=datasource                      # the application's PostgreSQL DataSource
 * agentrt.grants=net:api.github.com, file-read:/srv/docs
 * </pre>
 */
@ConfigurationProperties("agentrt")
public class AgentrtProperties {
    /**
     * The chat model by name, prefix:model, as ChatModels.byName reads it: anthropic:claude-sonnet-4-5,
     * openai:gpt-4.1-mini, openai-responses:..., gemini:..., ollama:qwen3:4b, bedrock:..., local:/path/to/model.
     * Its key, base URL and region are read from Spring's Environment under the provider's usual variable names
     * (ANTHROPIC_API_KEY, OPENAI_API_KEY, OPENAI_BASE_URL, GEMINI_API_KEY, OLLAMA_HOST, AWS_REGION...), so an
     * environment variable, an application property or a config server all work. Unset: no ChatModel bean and no
     * Agent bean.
     */
    private @Nullable String model;

    /** The agent's name, kept with its stored runs and used by telemetry. Default "agent". */
    private @Nullable String name;

    /** The agent's system prompt. */
    private @Nullable String instructions;

    /** The most steps (model turns) a task may take. Default 10. */
    private @Nullable Integer maxSteps;

    /** How long one tool call may run before it is cancelled. Default 60s. */
    private @Nullable Duration toolTimeout;

    /** How many tool calls of one step may run at the same time. Default 8. */
    private @Nullable Integer maxConcurrentToolCalls;

    /**
     * Capabilities granted to every task of the configured agent, as Capability.describe() prints them:
     * file-read:/srv/docs, file-write:/tmp/out, net:api.example.com, net:api.example.com:443,
     * net-private:devbox.lan:8080, env:API_TOKEN, memory-read, memory-write:notes, or a custom name:scope. Never
     * inferred from other settings; each is logged at start. Grants the application adds in code
     * (AgentBuilderCustomizer) come on top.
     */
    private List<String> grants = new ArrayList<>();

    private final ModelRetry modelRetry = new ModelRetry();

    private final ModelTimeouts modelTimeouts = new ModelTimeouts();

    private final Memory memory = new Memory();

    private final Runs runs = new Runs();

    private final Tools tools = new Tools();

    private final Telemetry telemetry = new Telemetry();

    public @Nullable String getModel() {
        return model;
    }

    public void setModel(@Nullable String model) {
        this.model = model;
    }

    public @Nullable String getName() {
        return name;
    }

    public void setName(@Nullable String name) {
        this.name = name;
    }

    public @Nullable String getInstructions() {
        return instructions;
    }

    public void setInstructions(@Nullable String instructions) {
        this.instructions = instructions;
    }

    public @Nullable Integer getMaxSteps() {
        return maxSteps;
    }

    public void setMaxSteps(@Nullable Integer maxSteps) {
        this.maxSteps = maxSteps;
    }

    public @Nullable Duration getToolTimeout() {
        return toolTimeout;
    }

    public void setToolTimeout(@Nullable Duration toolTimeout) {
        this.toolTimeout = toolTimeout;
    }

    public @Nullable Integer getMaxConcurrentToolCalls() {
        return maxConcurrentToolCalls;
    }

    public void setMaxConcurrentToolCalls(@Nullable Integer maxConcurrentToolCalls) {
        this.maxConcurrentToolCalls = maxConcurrentToolCalls;
    }

    public List<String> getGrants() {
        return grants;
    }

    public void setGrants(List<String> grants) {
        this.grants = grants;
    }

    public ModelRetry getModelRetry() {
        return modelRetry;
    }

    public ModelTimeouts getModelTimeouts() {
        return modelTimeouts;
    }

    public Memory getMemory() {
        return memory;
    }

    public Runs getRuns() {
        return runs;
    }

    public Tools getTools() {
        return tools;
    }

    public Telemetry getTelemetry() {
        return telemetry;
    }

    /**
     * How a step whose model call failed in a way that may pass is retried (Agent.Builder.modelRetry); unset
     * settings keep Agent.DEFAULT_MODEL_RETRY's.
     */
    public static class ModelRetry {
        /** Retries of a step's model call after the first attempt; 0 turns retrying off. Default 2. */
        private @Nullable Integer maxRetries;

        /** The wait before the first retry, doubled for each next one. Default 1s. */
        private @Nullable Duration initialBackoff;

        /** The longest wait between retries. Default 30s. */
        private @Nullable Duration maxBackoff;

        /** The fraction of each wait that is random, from 0 to 1. Default 0.25. */
        private @Nullable Double jitter;

        public @Nullable Integer getMaxRetries() {
            return maxRetries;
        }

        public void setMaxRetries(@Nullable Integer maxRetries) {
            this.maxRetries = maxRetries;
        }

        public @Nullable Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(@Nullable Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public @Nullable Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(@Nullable Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public @Nullable Double getJitter() {
            return jitter;
        }

        public void setJitter(@Nullable Double jitter) {
            this.jitter = jitter;
        }

        boolean isSet() {
            return maxRetries != null || initialBackoff != null || maxBackoff != null || jitter != null;
        }
    }

    /**
     * The HTTP timeouts of a hosted model named by agentrt.model (its builder's connectTimeout, timeout and
     * inactivityTimeout); unset ones keep the provider's defaults. Not used by local: models.
     */
    public static class ModelTimeouts {
        /** The longest wait for a connection to the provider to open. Default 10s. */
        private @Nullable Duration connect;

        /** The longest wait for the response headers of one request. */
        private @Nullable Duration response;

        /** The longest silence between two pieces of a streamed response body. */
        private @Nullable Duration inactivity;

        public @Nullable Duration getConnect() {
            return connect;
        }

        public void setConnect(@Nullable Duration connect) {
            this.connect = connect;
        }

        public @Nullable Duration getResponse() {
            return response;
        }

        public void setResponse(@Nullable Duration response) {
            this.response = response;
        }

        public @Nullable Duration getInactivity() {
            return inactivity;
        }

        public void setInactivity(@Nullable Duration inactivity) {
            this.inactivity = inactivity;
        }
    }

    /** Where the agent's long-term memory lives (needs dev.agentrt:agent-memory). */
    public static class Memory {
        /**
         * A directory for an embedded (Lucene) memory, created if missing: VectorMemory.open(path). Embeds with
         * the application's EmbeddingModel bean, or else the bundled all-MiniLM-L6-v2 (needs
         * dev.agentrt:agent-inference).
         */
        private @Nullable Path path;

        /**
         * Which store holds the memory: lucene (a directory, agentrt.memory.path) or datasource (the application's
         * PostgreSQL DataSource with the pgvector extension). Default: lucene when agentrt.memory.path is set.
         */
        private @Nullable MemoryStore store;

        /** The table of a datasource memory, created if missing. Default agentrt_vectors. */
        private @Nullable String table;

        /** The memory namespace the agent reads and writes. Default "default". */
        private @Nullable String namespace;

        public @Nullable Path getPath() {
            return path;
        }

        public void setPath(@Nullable Path path) {
            this.path = path;
        }

        public @Nullable MemoryStore getStore() {
            return store;
        }

        public void setStore(@Nullable MemoryStore store) {
            this.store = store;
        }

        public @Nullable String getTable() {
            return table;
        }

        public void setTable(@Nullable String table) {
            this.table = table;
        }

        public @Nullable String getNamespace() {
            return namespace;
        }

        public void setNamespace(@Nullable String namespace) {
            this.namespace = namespace;
        }
    }

    /** Where runs are journaled, so that they survive restarts and can pause for approval (needs agent-runs). */
    public static class Runs {
        /** A SQLite file for the run store, created if missing: RunStore.open(path). */
        private @Nullable Path path;

        /**
         * Which store journals runs: sqlite (a file, agentrt.runs.path) or datasource (the application's
         * PostgreSQL DataSource). Default: sqlite when agentrt.runs.path is set.
         */
        private @Nullable RunsStore store;

        public @Nullable Path getPath() {
            return path;
        }

        public void setPath(@Nullable Path path) {
            this.path = path;
        }

        public @Nullable RunsStore getStore() {
            return store;
        }

        public void setStore(@Nullable RunsStore store) {
            this.store = store;
        }
    }

    /** Tools collected from the application's beans. */
    public static class Tools {
        /**
         * Whether every bean with @ToolMethod methods becomes tools of the configured agent (Tools.from; needs
         * dev.agentrt:agent-tools). Off unless set: tools are authority, so the application opts in.
         */
        private boolean scan;

        public boolean isScan() {
            return scan;
        }

        public void setScan(boolean scan) {
            this.scan = scan;
        }
    }

    /** OpenTelemetry GenAI spans and metrics of the configured agent (needs dev.agentrt:agent-otel). */
    public static class Telemetry {
        /** Whether the agent reports to the application's OpenTelemetry bean when there is one. */
        private boolean enabled = true;

        /**
         * Whether messages, tool arguments and tool results are recorded (scrubbed of secrets); off since they may
         * hold personal data.
         */
        private boolean captureContent;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isCaptureContent() {
            return captureContent;
        }

        public void setCaptureContent(boolean captureContent) {
            this.captureContent = captureContent;
        }
    }

    /** The stores a memory can live in. */
    public enum MemoryStore {
        /** An embedded Lucene index in the directory agentrt.memory.path. */
        LUCENE,
        /** The application's PostgreSQL DataSource, with the pgvector extension. */
        DATASOURCE
    }

    /** The stores runs can be journaled in. */
    public enum RunsStore {
        /** A SQLite file at agentrt.runs.path. */
        SQLITE,
        /** The application's PostgreSQL DataSource. */
        DATASOURCE
    }
}
