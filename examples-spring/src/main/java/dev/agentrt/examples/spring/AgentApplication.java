package dev.agentrt.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Shows: agentrt in a Spring Boot 4 WebFlux application through agentrt-spring-boot-starter: a support desk agent
 * with tool beans ({@link OrderDesk}), explicit grants, a refund that waits for a person's approval in a SQLite run
 * store, and a vector memory at a path, answering over HTTP ({@link SupportController}).
 * Needs: nothing (offline, scripted model: {@link OfflineModel}); {@code agentrt.model} (for instance
 * {@code anthropic:claude-sonnet-4-5} with ANTHROPIC_API_KEY set) to run it on a real model.
 * You will see: the application on http://127.0.0.1:8080; {@code POST /support/questions} answers a question about
 * an order, or pauses its run for a refund's approval, which the starter's Actuator endpoint lists
 * ({@code GET /actuator/agentrtapprovals}) and decides ({@code POST /actuator/agentrtapprovals/{runId}/{callId}}) for
 * the approver; {@code /agentrt/runs} starts runs and streams their events (application.properties has the curl
 * commands).
 */
@SpringBootApplication
public class AgentApplication {
    public static void main(String[] args) {
        SpringApplication.run(AgentApplication.class, args);
    }
}
