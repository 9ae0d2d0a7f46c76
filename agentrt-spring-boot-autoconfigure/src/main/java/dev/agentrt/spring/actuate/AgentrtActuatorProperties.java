package dev.agentrt.spring.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * The {@code agentrt.actuator.*} properties: how the health indicators check the model, and who may decide
 * approvals through the {@code agentrtapprovals} endpoint.
 *
 * <pre>
 * agentrt.actuator.health.model-timeout=5s
 * agentrt.actuator.health.model-cache-time=1m
 * agentrt.actuator.approvals.role=FINANCE_APPROVER
 * management.endpoints.web.exposure.include=health,agentrtapprovals
 * management.health.agentrt-model.enabled=false       # one indicator off, as Boot's own
 * </pre>
 */
@ConfigurationProperties("agentrt.actuator")
public class AgentrtActuatorProperties {
    private final Health health = new Health();

    private final Approvals approvals = new Approvals();

    public Health getHealth() {
        return health;
    }

    public Approvals getApprovals() {
        return approvals;
    }

    /** The health indicators agentrtModel, agentrtMemory and agentrtRunStore. */
    public static class Health {
        /**
         * The longest wait for the model's reachability check (its free model list) before the model counts as down.
         * The model's own response timeout applies too; the shorter wins.
         */
        private Duration modelTimeout = Duration.ofSeconds(10);

        /**
         * How long a model reachability result is reused, so that frequent health probes (a load balancer, a
         * Kubernetes probe) ask the provider at most this often. 0 asks on every health request.
         */
        private Duration modelCacheTime = Duration.ofSeconds(30);

        public Duration getModelTimeout() {
            return modelTimeout;
        }

        public void setModelTimeout(Duration modelTimeout) {
            if (modelTimeout.isNegative() || modelTimeout.isZero()) {
                throw new IllegalArgumentException("agentrt.actuator.health.model-timeout must be positive, was "
                        + modelTimeout);
            }
            this.modelTimeout = modelTimeout;
        }

        public Duration getModelCacheTime() {
            return modelCacheTime;
        }

        public void setModelCacheTime(Duration modelCacheTime) {
            if (modelCacheTime.isNegative()) {
                throw new IllegalArgumentException("agentrt.actuator.health.model-cache-time must not be negative, was "
                        + modelCacheTime);
            }
            this.modelCacheTime = modelCacheTime;
        }
    }

    /** The agentrtapprovals endpoint (only with Spring Security on the class path). */
    public static class Approvals {
        /**
         * The role a principal needs to list, approve or deny (without the ROLE_ prefix). Requests without an
         * authenticated principal get 401, those of a principal without the role 403.
         */
        private String role = "AGENTRT_APPROVER";

        /**
         * Whether deciding the last call a run waits on resumes the run at once, in this process (in the
         * background; the response does not wait for it). When false, the application resumes it
         * (agent.resume(runId)).
         */
        private boolean resume = true;

        /**
         * The most characters of a tool call's arguments the listing shows (after secrets are replaced by
         * [REDACTED]); longer arguments are cut and marked.
         */
        private int maxArgumentChars = 2000;

        public String getRole() {
            return role;
        }

        public void setRole(String role) {
            String r = role.strip();
            if (r.isEmpty() || r.startsWith("ROLE_")) {
                throw new IllegalArgumentException("agentrt.actuator.approvals.role must name a role without the"
                        + " ROLE_ prefix (AGENTRT_APPROVER), was '" + role + "'");
            }
            this.role = r;
        }

        public boolean isResume() {
            return resume;
        }

        public void setResume(boolean resume) {
            this.resume = resume;
        }

        public int getMaxArgumentChars() {
            return maxArgumentChars;
        }

        public void setMaxArgumentChars(int maxArgumentChars) {
            if (maxArgumentChars < 16) {
                throw new IllegalArgumentException("agentrt.actuator.approvals.max-argument-chars must be at least 16,"
                        + " was " + maxArgumentChars);
            }
            this.maxArgumentChars = maxArgumentChars;
        }
    }
}
