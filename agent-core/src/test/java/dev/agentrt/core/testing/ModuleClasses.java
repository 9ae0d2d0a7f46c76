package dev.agentrt.core.testing;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A module's own compiled classes (its {@code target/classes}, not its tests or dependencies), imported for
 * the ArchUnit rules of the module's {@code DependencyRulesTest}.
 *
 * <pre>{@code
 * JavaClasses core = ModuleClasses.of(Agent.class);
 * noClasses().should().dependOnClassesThat().resideInAPackage("dev.agentrt.tools..").check(core);
 * }</pre>
 *
 * <p>Stateless; each call to {@link #of} reads the class files again.
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

    /**
     * Classes of other agentrt modules' {@code internal} packages, except the packages listed in
     * {@code exportedToThisModule} (and their sub-packages): what the module rooted at {@code ownRoot} must not
     * use. The list plays the part of JPMS's qualified exports ({@code exports … to …}).
     */
    public static DescribedPredicate<JavaClass> internalsNotExportedTo(String ownRoot, String... exportedToThisModule) {
        List<String> exported = List.of(exportedToThisModule);
        return DescribedPredicate.describe("are in other modules' internal packages, except " + exported, type -> {
            String name = type.getPackageName();
            if (!name.startsWith("dev.agentrt.") || name.equals(ownRoot) || name.startsWith(ownRoot + ".")) {
                return false;
            }
            boolean internal = Arrays.asList(name.split("\\.")).contains("internal");
            return internal && exported.stream().noneMatch(p -> name.equals(p) || name.startsWith(p + "."));
        });
    }
}
