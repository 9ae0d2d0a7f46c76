package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The sandbox's public API names none of the engine's (or other libraries') types. */
class PublicApiTest {
    private static final List<String> FOREIGN = List.of("run.endive.", "io.roastedroot.", "com.fasterxml.",
            "tools.jackson.");

    @Test
    void publicSignaturesUseOnlyTheProjectsAndTheJdksTypes() throws IOException, URISyntaxException,
            ClassNotFoundException {
        Path classes = Path.of(Sandbox.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/agentrt/sandbox");
        var offending = new ArrayList<String>();
        int checked = 0;
        try (var files = Files.list(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = file.getFileName().toString();
                Class<?> type = Class.forName("dev.agentrt.sandbox." + name.substring(0, name.length() - 6));
                if (!Modifier.isPublic(type.getModifiers())) {
                    continue;
                }
                checked++;
                for (Method m : type.getMethods()) {
                    check(type, m.toGenericString(), offending);
                }
                for (Constructor<?> c : type.getConstructors()) {
                    check(type, c.toGenericString(), offending);
                }
                for (Field f : type.getFields()) {
                    check(type, f.toGenericString(), offending);
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(8);
        assertThat(offending).isEmpty();
    }

    private static void check(Class<?> type, String signature, List<String> offending) {
        for (String prefix : FOREIGN) {
            if (signature.contains(prefix)) {
                offending.add(type.getSimpleName() + ": " + signature);
            }
        }
    }
}
