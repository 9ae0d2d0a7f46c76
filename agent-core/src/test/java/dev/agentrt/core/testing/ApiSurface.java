package dev.agentrt.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of one module, read from its compiled classes, and the checks every library
 * module runs on it (each module's {@code ApiSurfaceTest}):
 * <ol>
 * <li>{@link #assertMatches(Path)}: the surface (every public or protected type and member outside
 * {@code ….internal} packages, one signature a line, sorted) equals a checked-in file, so that a change
 * to the API is a visible change to that file in review. Run the test with {@code -Dapi.update=true} to
 * write the file instead of comparing it.
 * <li>{@link #assertPackagesAreNullMarked()}: every API package has a {@code package-info} with
 * {@code @NullMarked}.
 * <li>{@link #assertNamesNoForeignTypes()}: no signature of that surface names a type of an
 * {@code internal} package or of a third-party library, except the JDK's and the few the whole project
 * allows (Reactive Streams, Reactor's {@code Mono}, {@code Flux} and {@code Scheduler}) and the ones the module
 * lists with a reason ({@link Builder#allow(String, String)}).
 * </ol>
 *
 * <pre>{@code
 * ApiSurface api = ApiSurface.of(Agent.class).build();     // Agent's module: its target/classes
 * api.assertNamesNoForeignTypes();
 * api.assertMatches(Path.of("src/test/resources/api/agent-core.api"));
 * }</pre>
 *
 * <p>Regenerate every module's file after intended API changes (then review and commit the diff):
 * {@code ./mvnw -B -o test -pl agent-core,agent-tools,agent-sandbox,agent-inference,agent-memory
 * -Dtest=ApiSurfaceTest -Dsurefire.failIfNoSpecifiedTests=false -Dapi.update=true}.
 *
 * <p>JPMS would enforce the boundary at compile time; several runtime dependencies ship no module
 * descriptor and agent-core's test-jar adds classes to agent-core's packages, so the boundary is
 * checked here instead. Classes are loaded without being initialised. Immutable once built.
 */
public final class ApiSurface {
    /** The system property that makes {@link #assertMatches(Path)} rewrite the file. */
    public static final String UPDATE_PROPERTY = "api.update";

    private static final List<String> PROJECT_ALLOWED = List.of("org.reactivestreams.",
            "reactor.core.publisher.Mono", "reactor.core.publisher.Flux", "reactor.core.scheduler.Scheduler");

    /** What a caller or subclass can rely on; {@code synchronized}, {@code native}, {@code volatile}… are not. */
    private static final int API_MODIFIERS = Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL
            | Modifier.ABSTRACT;

    private final Map<Class<?>, List<String>> types;
    private final Map<String, String> allowed;

    private ApiSurface(Map<Class<?>, List<String>> types, Map<String, String> allowed) {
        this.types = Map.copyOf(types);
        this.allowed = allowed;
    }

    /**
     * Starts reading the module that holds {@code anchor}: every class under the classes directory
     * {@code anchor} was loaded from (its module's {@code target/classes}).
     */
    public static Builder of(Class<?> anchor) {
        return new Builder(anchor);
    }

    /** The surface, one line a type or member: {@code <type>: <signature>}, sorted. */
    public List<String> signatures() {
        var lines = new ArrayList<String>();
        types.keySet().stream().sorted(Comparator.comparing(Class::getName)).forEach(type -> {
            String prefix = type.getName() + ": ";
            lines.add(prefix + header(type));
            new TreeSet<>(types.get(type)).forEach(member -> lines.add(prefix + "  " + member));
        });
        return lines;
    }

    /** Every signature that names a type of an {@code internal} package or an unlisted third-party type. */
    public List<String> foreignTypes() {
        var found = new TreeSet<String>();
        for (Class<?> type : types.keySet()) {
            var named = new ArrayList<Type>();
            named.add(type.getGenericSuperclass());
            named.addAll(Arrays.asList(type.getGenericInterfaces()));
            named.addAll(Arrays.asList(type.getTypeParameters()));
            report(type.getName() + ": " + header(type), named, found);
            for (Member member : members(type)) {
                report(type.getName() + ": " + signature(member), referenced(member), found);
            }
        }
        return List.copyOf(found);
    }

    /** Fails, listing them, when {@link #foreignTypes()} is not empty. */
    public void assertNamesNoForeignTypes() {
        List<String> found = foreignTypes();
        if (!found.isEmpty()) {
            throw new AssertionError("The public API names internal or third-party types (move the type into an"
                    + " API package, wrap it in one of ours, or allow it with a reason in the module's"
                    + " ApiSurfaceTest):\n  " + String.join("\n  ", found));
        }
    }

    /**
     * Fails, naming them, when a package of the surface has no {@code package-info} annotated with JSpecify's
     * {@code @NullMarked} (the Javadoc it should carry, a usage note, is for review to check).
     */
    public void assertPackagesAreNullMarked() {
        List<String> unmarked = types.keySet()
                .stream()
                .map(Class::getPackage)
                .distinct()
                .filter(p -> Arrays.stream(p.getAnnotations())
                        .noneMatch(a -> a.annotationType().getName().equals("org.jspecify.annotations.NullMarked")))
                .map(Package::getName)
                .sorted()
                .toList();
        if (!unmarked.isEmpty()) {
            throw new AssertionError("API packages without a @NullMarked package-info.java: " + unmarked);
        }
    }

    /**
     * Fails with a diff when the surface differs from {@code apiFile}; with {@code -Dapi.update=true},
     * writes the surface to {@code apiFile} instead.
     */
    public void assertMatches(Path apiFile) {
        List<String> actual = signatures();
        try {
            if (Boolean.getBoolean(UPDATE_PROPERTY)) {
                Files.createDirectories(apiFile.toAbsolutePath().getParent());
                Files.write(apiFile, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(apiFile)) {
                throw new AssertionError(apiFile + " does not exist: run the test with -D" + UPDATE_PROPERTY
                        + "=true to write it");
            }
            List<String> expected = Files.readAllLines(apiFile, StandardCharsets.UTF_8)
                    .stream()
                    .filter(line -> !line.isBlank())
                    .toList();
            String diff = diff(expected, actual);
            if (!diff.isEmpty()) {
                throw new AssertionError("The public API differs from " + apiFile + " (- in the file only, + in the"
                        + " code only). If the change is intended, run the test with -D" + UPDATE_PROPERTY
                        + "=true and commit the file.\n" + diff);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String diff(List<String> expected, List<String> actual) {
        Set<String> inCode = new HashSet<>(actual);
        Set<String> inFile = new HashSet<>(expected);
        var lines = new TreeSet<String>(Comparator.comparing((String l) -> l.substring(2)).thenComparing(l -> l));
        expected.stream().filter(l -> !inCode.contains(l)).forEach(l -> lines.add("- " + l));
        actual.stream().filter(l -> !inFile.contains(l)).forEach(l -> lines.add("+ " + l));
        return String.join("\n", lines);
    }

    private void report(String signature, List<Type> named, Set<String> found) {
        var seen = new HashSet<Type>();
        for (Type type : named) {
            for (Class<?> raw : rawTypes(type, seen)) {
                if (!permitted(raw)) {
                    found.add(signature + "  [names " + raw.getName() + "]");
                }
            }
        }
    }

    private boolean permitted(Class<?> type) {
        if (type.isPrimitive()) {
            return true;
        }
        String name = type.getName();
        for (Map.Entry<String, String> allowance : allowed.entrySet()) {
            String prefix = allowance.getKey();
            if (prefix.endsWith(".") ? name.startsWith(prefix) : name.equals(prefix)) {
                return true;
            }
        }
        if (name.startsWith("dev.agentrt.")) {
            return !isInternal(type.getPackageName());
        }
        ClassLoader loader = type.getClassLoader();
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    private static List<Class<?>> rawTypes(Type type, Set<Type> seen) {
        if (type == null || !seen.add(type)) {
            return List.of();
        }
        var raws = new ArrayList<Class<?>>();
        switch (type) {
            case Class<?> c -> {
                Class<?> component = c;
                while (component.isArray()) {
                    component = component.getComponentType();
                }
                raws.add(component);
            }
            case ParameterizedType p -> {
                raws.addAll(rawTypes(p.getRawType(), seen));
                raws.addAll(rawTypes(p.getOwnerType(), seen));
                for (Type argument : p.getActualTypeArguments()) {
                    raws.addAll(rawTypes(argument, seen));
                }
            }
            case WildcardType w -> {
                Stream.concat(Arrays.stream(w.getUpperBounds()), Arrays.stream(w.getLowerBounds()))
                        .forEach(bound -> raws.addAll(rawTypes(bound, seen)));
            }
            case TypeVariable<?> v -> Arrays.stream(v.getBounds()).forEach(bound -> raws.addAll(rawTypes(bound, seen)));
            case GenericArrayType a -> raws.addAll(rawTypes(a.getGenericComponentType(), seen));
            default -> throw new IllegalStateException("unknown kind of type: " + type);
        }
        return raws;
    }

    private static List<Type> referenced(Member member) {
        var named = new ArrayList<Type>();
        switch (member) {
            case Field f -> named.add(f.getGenericType());
            case Executable e -> {
                if (e instanceof Method m) {
                    named.add(m.getGenericReturnType());
                }
                named.addAll(Arrays.asList(e.getGenericParameterTypes()));
                named.addAll(Arrays.asList(e.getGenericExceptionTypes()));
                named.addAll(Arrays.asList(e.getTypeParameters()));
            }
            default -> throw new IllegalStateException("unknown kind of member: " + member);
        }
        return named;
    }

    private static List<Member> members(Class<?> type) {
        var members = new ArrayList<Member>();
        Stream.of(type.getDeclaredFields(), type.getDeclaredConstructors(), type.getDeclaredMethods())
                .flatMap(Arrays::stream)
                .map(Member.class::cast)
                .filter(m -> !m.isSynthetic() && !(m instanceof Method method && method.isBridge()))
                .filter(m -> visible(type, m.getModifiers()))
                .forEach(members::add);
        return members;
    }

    private static boolean visible(Class<?> owner, int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers) && extensible(owner);
    }

    /** Whether code outside the module can subclass {@code type}, and so see its protected members. */
    private static boolean extensible(Class<?> type) {
        if (Modifier.isFinal(type.getModifiers()) || type.isSealed() || type.isEnum() || type.isRecord()) {
            return false;
        }
        return type.isInterface() || Arrays.stream(type.getDeclaredConstructors())
                .anyMatch(c -> Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers()));
    }

    private static String header(Class<?> type) {
        int modifiers = type.getModifiers() & (type.isInterface()
                ? Modifier.interfaceModifiers()
                : Modifier.classModifiers());
        if (type.isInterface()) {
            modifiers &= ~Modifier.ABSTRACT;
        }
        if (type.isEnum() || type.isRecord()) {
            modifiers &= ~(Modifier.FINAL | Modifier.ABSTRACT);
        }
        var text = new StringBuilder(Modifier.toString(modifiers));
        if (type.isSealed()) {
            text.append(" sealed");
        }
        text.append(type.isAnnotation()
                ? " @interface "
                : type.isInterface()
                        ? " interface "
                        : type.isEnum() ? " enum " : type.isRecord() ? " record " : " class ");
        text.append(type.getName()).append(typeParameters(type.getTypeParameters()));
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
            text.append(" extends ").append(superclass.getTypeName());
        }
        Type[] interfaces = type.isAnnotation() ? new Type[0] : type.getGenericInterfaces();
        if (interfaces.length > 0) {
            text.append(type.isInterface() ? " extends " : " implements ")
                    .append(Arrays.stream(interfaces)
                            .map(Type::getTypeName)
                            .collect(Collectors.joining(", ")));
        }
        if (type.isSealed()) {
            text.append(" permits ")
                    .append(Arrays.stream(type.getPermittedSubclasses())
                            .map(Class::getName)
                            .sorted()
                            .collect(Collectors.joining(", ")));
        }
        return text.toString().strip();
    }

    private static String signature(Member member) {
        var text = new StringBuilder();
        switch (member) {
            case Field f -> text.append(Modifier.toString(f.getModifiers() & API_MODIFIERS))
                    .append(' ')
                    .append(f.getGenericType().getTypeName())
                    .append(' ')
                    .append(f.getName());
            case Constructor<?> c -> text.append(Modifier.toString(c.getModifiers() & Modifier.constructorModifiers()))
                    .append(' ')
                    .append(typeParameters(c.getTypeParameters()))
                    .append("<init>")
                    .append(parameters(c));
            case Method m -> {
                int modifiers = m.getModifiers() & API_MODIFIERS;
                if (m.getDeclaringClass().isInterface()) {
                    modifiers &= ~(Modifier.ABSTRACT | Modifier.PUBLIC);
                }
                text.append(Modifier.toString(modifiers));
                if (m.isDefault()) {
                    text.append(" default");
                }
                text.append(' ')
                        .append(typeParameters(m.getTypeParameters()))
                        .append(m.getGenericReturnType().getTypeName())
                        .append(' ')
                        .append(m.getName())
                        .append(parameters(m));
            }
            default -> throw new IllegalStateException("unknown kind of member: " + member);
        }
        return text.toString().strip();
    }

    private static String parameters(Executable executable) {
        String list = Arrays.stream(executable.getGenericParameterTypes())
                .map(Type::getTypeName)
                .collect(Collectors.joining(", "));
        if (executable.isVarArgs() && list.endsWith("[]")) {
            list = list.substring(0, list.length() - 2) + "...";
        }
        Type[] thrown = executable.getGenericExceptionTypes();
        return "(" + list + ")" + (thrown.length == 0
                ? ""
                : " throws " + Arrays.stream(thrown)
                        .map(Type::getTypeName)
                        .collect(Collectors.joining(", ")));
    }

    private static String typeParameters(TypeVariable<?>[] variables) {
        if (variables.length == 0) {
            return "";
        }
        return Arrays.stream(variables).map(v -> {
            List<String> bounds = Arrays.stream(v.getBounds())
                    .filter(b -> b != Object.class)
                    .map(Type::getTypeName)
                    .toList();
            return bounds.isEmpty() ? v.getName() : v.getName() + " extends " + String.join(" & ", bounds);
        }).collect(Collectors.joining(", ", "<", "> "));
    }

    private static boolean isInternal(String packageName) {
        return Arrays.asList(packageName.split("\\.")).contains("internal");
    }

    /** Which module to read and what its API may name beyond the project-wide allow-list. Not thread-safe. */
    public static final class Builder {
        private final Class<?> anchor;
        private final Map<String, String> allowed = new LinkedHashMap<>();

        private Builder(Class<?> anchor) {
            this.anchor = anchor;
            PROJECT_ALLOWED.forEach(name -> allowed.put(name, "allowed in every module's API"));
        }

        /**
         * Lets the API name {@code type} (a class name, or a package prefix ending in {@code .}), for the
         * stated {@code reason}: a third-party type or an internal one that users must see for now.
         */
        public Builder allow(String type, String reason) {
            if (reason.isBlank()) {
                throw new IllegalArgumentException("an exception to the API rules needs a reason: " + type);
            }
            allowed.put(type, reason);
            return this;
        }

        /** Reads the module's classes (not initialising them) and returns its surface. */
        public ApiSurface build() {
            Path root = classesRoot(anchor);
            ClassLoader loader = anchor.getClassLoader();
            var types = new LinkedHashMap<Class<?>, List<String>>();
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    String name = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                    name = name.substring(0, name.length() - ".class".length());
                    if (name.endsWith("package-info") || name.endsWith("module-info")) {
                        continue;
                    }
                    Class<?> type = Class.forName(name, false, loader);
                    if (isInternal(type.getPackageName()) || !exported(type)) {
                        continue;
                    }
                    types.put(type, members(type).stream().map(ApiSurface::signature).toList());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            return new ApiSurface(types, Map.copyOf(allowed));
        }

        private static boolean exported(Class<?> type) {
            if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
                return false;
            }
            Class<?> enclosing = type.getEnclosingClass();
            if (enclosing == null) {
                return Modifier.isPublic(type.getModifiers());
            }
            return exported(enclosing) && visible(enclosing, type.getModifiers());
        }

        private static Path classesRoot(Class<?> anchor) {
            try {
                return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
