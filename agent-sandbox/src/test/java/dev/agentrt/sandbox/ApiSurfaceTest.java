package dev.agentrt.sandbox;

import dev.agentrt.core.testing.ApiSurface;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * agent-sandbox's public API: its signatures are the checked-in {@code src/test/resources/api/agent-sandbox.api} and
 * name no internal or third-party type beyond the project-wide allow-list.
 *
 * <p>After an intended API change, regenerate the file and commit it:
 * {@code ./mvnw -B -o test -pl agent-core,agent-sandbox -Dtest=ApiSurfaceTest -Dapi.update=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ApiSurfaceTest {
    private static final ApiSurface API = ApiSurface.of(Sandbox.class).build();

    @Test
    void publicSignaturesMatchTheCheckedInApiFile() {
        API.assertMatches(Path.of("src/test/resources/api/agent-sandbox.api"));
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
