package dev.agentrt.spring.actuate;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.memory.InMemoryVectorStore;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.memory.VectorMemory;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** What the actuate tests share: an agent whose payments wait for a person, in a SQLite run store. */
final class Fixtures {
    static final String AGENT = "payments-clerk";
    static final ToolCall PAY = new ToolCall("call-pay-17", "pay",
            "{\"invoice\":17,\"amountEur\":120,\"payee\":\"ACME GmbH\",\"api_key\":\"sk-live-0123456789abcdefghij\"}");

    private Fixtures() {}

    /**
     * A scripted model that asks for the payment, then answers from its result: chosen from the request, so that a
     * resumed run (whose first reply comes from the journal) asks only for the answer.
     */
    static ChatModel paymentModel() {
        return ScriptedChatModel.responding(request -> {
            Message last = request.messages().get(request.messages().size() - 1);
            if (!(last instanceof Message.ToolResult result)) {
                return Reply.toolCalls(PAY);
            }
            return Reply.text(result.error() ? "Not paid: " + result.content() : "Paid: " + result.content());
        });
    }

    /** The payment tool: needs payments:send, which nobody grants; counts its payments. */
    static Tool pay(AtomicInteger payments) {
        return Tool.builder("pay")
                .description("Pays an invoice.")
                .requires(Capability.custom("payments", "send"))
                .handler((args, ctx) -> Mono.fromCallable(() -> {
                    payments.incrementAndGet();
                    return ToolResult.text("transfer T-17");
                }))
                .build();
    }

    /** The agent: every payment is deferred to a person, runs are journaled in {@code store}. */
    static Agent agent(RunStore store, AtomicInteger payments, AgentEvent.Listener listener) {
        return Agent.builder()
                .name(AGENT)
                .model(paymentModel())
                .tools(List.of(pay(payments)))
                .approvals(request -> Mono.just(Decision.defer("payments wait for finance")))
                .runStore(store)
                .listener(listener)
                .build();
    }

    /** A vector memory over an in-memory store, with an embedding model that needs no download. */
    static VectorMemory vectorMemory() {
        return VectorMemory.builder()
                .embeddingModel(new CountingEmbeddings())
                .store(InMemoryVectorStore.create(4))
                .build();
    }

    /** A memory of the application's own, which no health check knows. */
    static Memory customMemory() {
        return new Memory() {
            @Override
            public Mono<List<MemoryHit>> recall(MemoryQuery query) {
                return Mono.just(List.of());
            }

            @Override
            public Mono<String> remember(MemoryRecord record) {
                return Mono.just("id");
            }

            @Override
            public Mono<Boolean> forget(String namespace, String id) {
                return Mono.just(false);
            }
        };
    }

    /** Four-dimensional embeddings from letter counts. */
    static final class CountingEmbeddings implements EmbeddingModel {
        @Override
        public int dimensions() {
            return 4;
        }

        @Override
        public int maxInputTokens() {
            return 512;
        }

        @Override
        public Mono<List<Embedding>> embedAll(List<String> texts) {
            return Mono.fromSupplier(() -> {
                var out = new ArrayList<Embedding>();
                for (String t : texts) {
                    float[] v = new float[4];
                    for (char c : t.toCharArray()) {
                        v[c % 4] += 1;
                    }
                    v[0] += 1;
                    out.add(Embedding.of(v));
                }
                return out;
            });
        }
    }
}
