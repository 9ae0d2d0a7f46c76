package dev.agentrt.core.testing;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * A module's own compiled classes (its {@code target/classes}, not its tests or dependencies), imported for
 * the ArchUnit rules of the module's {@code DependencyRulesTest}.
 *
 * <pre>{@code
 * JavaClasses core = ModuleClasses.of(Agent.class);
 * noClasses().should().dependOnClassesThat().resideInAPackage("dev.agentrt.tools..").check(core);
 * }</pre>
 *
 * <p>Stateless; each call reads the class files again.
 */
public final class ModuleClasses {
    private ModuleClasses() {}

    /** The classes of the module {@code anchor} was loaded from. */
    public static JavaClasses of(Class<?> anchor) {
        try {
            Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new ClassFileImporter().importPath(root);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
