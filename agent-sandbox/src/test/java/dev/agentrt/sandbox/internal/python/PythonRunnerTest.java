package dev.agentrt.sandbox.internal.python;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;

class PythonRunnerTest {
    @Test
    void anOlderJvmIsReportedWithTheVersionItNeeds() {
        assertThat(PythonRunner.probe(21, PythonRunnerTest.class.getClassLoader()))
                .hasValue("it needs Java 25 or later, this JVM is Java 21");
    }

    @Test
    void aMissingArtifactIsReportedByName() throws Exception {
        try (var empty = new URLClassLoader(new URL[0], null)) {
            assertThat(PythonRunner.probe(25, empty)).hasValue("io.trino:trino-wasm-python is not on the class path");
        }
    }
}
