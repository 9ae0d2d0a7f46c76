package dev.agentrt.spring.actuate;

import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.ModelReachability;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * The health of the agent's model: {@link ChatModel#reachability()}, which asks a hosted provider's free model list
 * (never a paid call) and says UNKNOWN for models with no free check. Bounded by a timeout; a result is reused for a
 * while, so that frequent probes share one request. Details: the model, what the check found, the HTTP status.
 * Non-blocking.
 */
final class ModelHealthIndicator implements ReactiveHealthIndicator {
    private final String model;
    private final Mono<ModelReachability> check;

    ModelHealthIndicator(ChatModel model, Duration timeout, Duration cacheTime) {
        this.model = describe(model);
        Mono<ModelReachability> once = Mono.defer(model::reachability)
                .timeout(timeout, Mono.fromSupplier(() -> ModelReachability.down("no answer within " + timeout, 0)))
                // The contract says a check never fails; a model of the application's own may break it. Its
                // message is not shown: it might quote a key.
                .onErrorResume(e -> Mono.just(ModelReachability.down("the reachability check failed with "
                        + e.getClass().getSimpleName(), 0)));
        this.check = cacheTime.isZero() ? once : once.cache(r -> cacheTime, e -> Duration.ZERO, () -> Duration.ZERO);
    }

    @Override
    public Mono<Health> health() {
        return check.map(r -> {
            Health.Builder health = switch (r.status()) {
                case UP -> Health.up();
                case DOWN -> Health.down();
                case UNKNOWN -> Health.unknown();
            };
            health.withDetail("model", model).withDetail("detail", r.detail());
            if (r.httpStatus() > 0) {
                health.withDetail("httpStatus", r.httpStatus());
            }
            return health.build();
        });
    }

    private static String describe(ChatModel model) {
        if (model instanceof HostedChatModel hosted) {
            return hosted.modelName() + " at " + hosted.baseUrl().getScheme() + "://" + hosted.baseUrl().getHost()
                    + (hosted.baseUrl().getPort() < 0 ? "" : ":" + hosted.baseUrl().getPort())
                    + hosted.baseUrl().getRawPath();
        }
        return model.getClass().getSimpleName();
    }
}
