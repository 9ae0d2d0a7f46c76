package dev.agentrt.core;

import dev.agentrt.core.testing.ApiSurface;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * agent-core's public API: its signatures are the checked-in {@code src/test/resources/api/agent-core.api}
 * and name no internal or third-party type beyond the project-wide allow-list.
 *
 * <p>After an intended API change, regenerate the file and commit it:
 * {@code ./mvnw -B -o test -pl agent-core -Dtest=ApiSurfaceTest -Dapi.update=true}.
 */
class ApiSurfaceTest {
    private static final ApiSurface API = ApiSurface.of(Agent.class).build();

    @Test
    void publicSignaturesMatchTheCheckedInApiFile() {
        API.assertMatches(Path.of("src/test/resources/api/agent-core.api"));
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
