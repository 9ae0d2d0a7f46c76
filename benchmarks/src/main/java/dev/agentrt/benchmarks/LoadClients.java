package dev.agentrt.benchmarks;

import dev.agentrt.core.Agent;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The clients {@link HttpLoad} compares, each running {@link Fixtures}' scenario (system prompt,
 * input, one {@code read_doc} tool call, a text answer) against the local server, all tasks started
 * at once. Each is built the way a user would build it, with its library's defaults (timeouts,
 * retries, HTTP client).
 */
final class LoadClients {
    static final String MODEL = "httpload-model";
    static final String API_KEY = "httpload-key";
    static final List<String> NAMES = List.of("agentrt", "langchain4j", "langchain4j-sync", "raw");

    private LoadClients() {}

    /** Starts tasks and reports each task's outcome; not thread-safe (one run at a time). */
    interface LoadClient {
        /** Starts {@code out.size()} tasks at once and returns; outcomes arrive on the client's threads. */
        void startAll(TaskOutcomes out);

        /** Cancels what the client can cancel of tasks still running. */
        void cancelAll();
    }

    static LoadClient create(String name, String baseUrl) {
        return switch (name) {
            case "agentrt" -> new Agentrt(baseUrl);
            case "langchain4j" -> new Lc4jStreaming(baseUrl);
            case "langchain4j-sync" -> new Lc4jBlocking(baseUrl);
            case "raw" -> new Raw(baseUrl);
            default -> throw new IllegalArgumentException("unknown runtime " + name + "; one of " + NAMES);
        };
    }

    /**
     * agentrt: an {@link Agent} on {@link OpenAiChatModel} (streamed replies over the JDK
     * {@code HttpClient}, default retry policy), all tasks merged by one {@code flatMap} with
     * concurrency {@code n}: no thread is held per task.
     */
    static final class Agentrt implements LoadClient {
        private final Agent agent;
        private Disposable running = () -> {};

        Agentrt(String baseUrl) {
            this.agent = Fixtures.agentrtAgent(
                    OpenAiChatModel.builder().baseUrl(baseUrl).model(MODEL).apiKey(API_KEY).build(),
                    Fixtures.agentrtTool());
        }

        @Override
        public void startAll(TaskOutcomes out) {
            int n = out.size();
            running = Flux.range(0, n).flatMap(i -> Mono.defer(() -> {
                out.started(i);
                return agent.task(Fixtures.INPUT).execute();
            }).doOnNext(r -> {
                if (r.outcome() == Outcome.COMPLETED) {
                    out.answered(i, r.text());
                } else {
                    out.failed(i, "outcome " + r.outcome());
                }
            }).switchIfEmpty(Mono.fromRunnable(() -> out.failed(i, "no result"))).onErrorResume(e -> {
                out.failed(i, e);
                return Mono.empty();
            }), n).subscribe();
        }

        @Override
        public void cancelAll() {
            running.dispose();
        }
    }

    /** The LangChain4j AI service with a streamed reply. */
    public interface StreamingAssistant {
        @SystemMessage(Fixtures.INSTRUCTIONS)
        TokenStream chat(String input);
    }

    /**
     * LangChain4j's streaming API: {@code AiServices} with a {@link TokenStream} over
     * {@link OpenAiStreamingChatModel} (its JDK {@code HttpClient} adapter, defaults). Every task is
     * started from the calling thread; LangChain4j reads each streamed body on a thread of the
     * client's executor, runs the tool there and sends the next request. No retries: the streaming
     * model has none.
     */
    static final class Lc4jStreaming implements LoadClient {
        private final StreamingAssistant assistant;

        Lc4jStreaming(String baseUrl) {
            var model = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY).modelName(MODEL).build();
            this.assistant = AiServices.builder(StreamingAssistant.class)
                    .streamingChatModel(model)
                    .tools(new Lc4jFixtures.DocTools(null))
                    .build();
        }

        @Override
        public void startAll(TaskOutcomes out) {
            for (int i = 0; i < out.size(); i++) {
                int task = i;
                out.started(task);
                try {
                    assistant.chat(Fixtures.INPUT)
                            .onPartialResponse(token -> {})
                            .onCompleteResponse(r -> out.answered(task, r.aiMessage().text()))
                            .onError(e -> out.failed(task, e))
                            .start();
                } catch (RuntimeException e) {
                    out.failed(task, e);
                }
            }
        }

        @Override
        public void cancelAll() {
            // A TokenStream started this way has no handle to cancel it.
        }
    }

    /**
     * LangChain4j's blocking API: {@code AiServices} returning {@code String} over its
     * non-streaming {@code OpenAiChatModel} (defaults: 2 retries), one virtual thread per task,
     * as {@link ConcurrentTasks} runs it. The server answers these requests with one JSON body
     * after the same latency.
     */
    static final class Lc4jBlocking implements LoadClient {
        private final Lc4jFixtures.Assistant assistant;
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

        Lc4jBlocking(String baseUrl) {
            var model = dev.langchain4j.model.openai.OpenAiChatModel.builder()
                    .baseUrl(baseUrl)
                    .apiKey(API_KEY)
                    .modelName(MODEL)
                    .build();
            this.assistant = Lc4jFixtures.langchain4jAssistant(model, new Lc4jFixtures.DocTools(null));
        }

        @Override
        public void startAll(TaskOutcomes out) {
            for (int i = 0; i < out.size(); i++) {
                int task = i;
                out.started(task);
                threads.execute(() -> {
                    try {
                        out.answered(task, assistant.chat(Fixtures.INPUT));
                    } catch (RuntimeException e) {
                        out.failed(task, e);
                    }
                });
            }
        }

        @Override
        public void cancelAll() {
            threads.shutdownNow();
        }
    }

    /**
     * The floor: a bare JDK {@code HttpClient} (HTTP/1.1, asynchronous) posting the two requests
     * of a task one after the other and reading each streamed body whole, with no parsing, no agent
     * and no retry. Shows what the server and the JDK client cost on their own.
     */
    static final class Raw implements LoadClient {
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final HttpRequest first;
        private final HttpRequest second;

        Raw(String baseUrl) {
            String tools = "[{\"type\":\"function\",\"function\":{\"name\":\"" + Fixtures.TOOL_NAME
                    + "\",\"description\":\"Reads a document\",\"parameters\":{\"type\":\"object\",\"properties\":"
                    + "{\"path\":{\"type\":\"string\"}},\"required\":[\"path\"]}}}]";
            String start = "{\"model\":\"" + MODEL + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"tools\":" + tools + ",\"messages\":[{\"role\":\"system\",\"content\":\""
                    + Fixtures.INSTRUCTIONS
                    + "\"},{\"role\":\"user\",\"content\":\"" + Fixtures.INPUT + "\"}";
            String toolTurn = ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
                    + "\"type\":\"function\",\"function\":{\"name\":\"" + Fixtures.TOOL_NAME
                    + "\",\"arguments\":\"{\\\"path\\\":\\\"README.md\\\"}\"}}]},{\"role\":\"tool\","
                    + "\"tool_call_id\":\"call_1\",\"content\":\"" + Fixtures.TOOL_OUTPUT.replace("\n", "\\n") + "\"}";
            URI uri = URI.create(baseUrl + "/chat/completions");
            this.first = post(uri, start + "]}");
            this.second = post(uri, start + toolTurn + "]}");
        }

        private static HttpRequest post(URI uri, String body) {
            return HttpRequest.newBuilder(uri)
                    .header("content-type", "application/json")
                    .header("authorization", "Bearer " + API_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
        }

        @Override
        public void startAll(TaskOutcomes out) {
            for (int i = 0; i < out.size(); i++) {
                int task = i;
                out.started(task);
                client.sendAsync(first, HttpResponse.BodyHandlers.ofString())
                        .thenCompose(r -> {
                            check(r);
                            return client.sendAsync(second, HttpResponse.BodyHandlers.ofString());
                        })
                        .whenComplete((r, e) -> {
                            if (e != null) {
                                out.failed(task, e instanceof CompletionException c && c.getCause() != null
                                        ? c.getCause()
                                        : e);
                                return;
                            }
                            try {
                                check(r);
                                out.succeeded(task);
                            } catch (IllegalStateException bad) {
                                out.failed(task, bad);
                            }
                        });
            }
        }

        private static void check(HttpResponse<String> r) {
            if (r.statusCode() != 200 || !r.body().endsWith("data: [DONE]\n\n")) {
                throw new IllegalStateException("HTTP " + r.statusCode() + " or a body without [DONE]");
            }
        }

        @Override
        public void cancelAll() {
            client.shutdownNow();
        }
    }
}
