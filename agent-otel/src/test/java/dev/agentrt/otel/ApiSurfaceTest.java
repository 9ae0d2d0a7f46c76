package dev.agentrt.otel;

import dev.agentrt.core.testing.ApiSurface;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * agent-otel's public API: its signatures are the checked-in {@code src/test/resources/api/agent-otel.api} and name
 * no internal or third-party type beyond the project-wide allow-list and the OpenTelemetry API.
 *
 * <p>After an intended API change, regenerate the file and commit it:
 * {@code ./mvnw -B -o test -pl agent-core,agent-otel -Dtest=ApiSurfaceTest -Dapi.update=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ApiSurfaceTest {
    private static final ApiSurface API = ApiSurface.of(AgentTelemetry.class)
            .allow("io.opentelemetry.api.OpenTelemetry",
                    "the module's purpose: users hand it the OpenTelemetry (SDK or no-op) to record to")
            .build();

    @Test
    void publicSignaturesMatchTheCheckedInApiFile() {
        API.assertMatches(Path.of("src/test/resources/api/agent-otel.api"));
    }

    @Test
    void publicSignaturesNameNoInternalOrThirdPartyType() {
        API.assertNamesNoForeignTypes();
    }

    @Test
    void everyApiPackageIsNullMarked() {
        API.assertPackagesAreNullMarked();
    }
}
