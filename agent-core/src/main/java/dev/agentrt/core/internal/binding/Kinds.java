package dev.agentrt.core.internal.binding;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema.Mode;
import org.jspecify.annotations.Nullable;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** What kind of JSON value a Java class stands for, when that is not a scalar, an enum or a container. */
final class Kinds {
    private Kinds() {}

    /**
     * Whether {@code c} is described as an object with fixed properties: a record, or a concrete class
     * of the application that Jackson can create (a no-argument constructor) and fill (see
     * {@link Properties}). Classes of the JDK, interfaces, abstract classes and the core's JSON values
     * are not.
     */
    static boolean isObjectType(Class<?> c) {
        if (JsonValue.class.isAssignableFrom(c)) {
            return false;
        }
        if (c.isRecord()) {
            return true;
        }
        return isBean(c);
    }

    /** A concrete class of the application with a no-argument constructor. */
    static boolean isBean(Class<?> c) {
        if (c.isPrimitive() || c.isArray() || c.isEnum() || c.isInterface() || Modifier.isAbstract(c.getModifiers())
                || c.isAnonymousClass() || c.isLocalClass() || c.isRecord()
                || (c.isMemberClass() && !Modifier.isStatic(c.getModifiers())) || Collection.class.isAssignableFrom(c)
                || Map.class.isAssignableFrom(c)) {
            return false;
        }
        String name = c.getName();
        if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.") || name.startsWith("sun.")
                || name.startsWith("reactor.") || name.startsWith("org.reactivestreams.")) {
            return false;
        }
        try {
            c.getDeclaredConstructor();
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** JSpecify's {@code @Nullable}, or any other annotation named {@code Nullable} (jakarta, JetBrains...). */
    static boolean isNullable(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a.annotationType().getSimpleName().equals("Nullable")) {
                return true;
            }
        }
        return false;
    }

    static boolean isNullable(@Nullable AnnotatedType type) {
        return type != null && isNullable(type.getAnnotations());
    }

    /** Whether any of the declarations carries a {@code Nullable} annotation. */
    static boolean isNullable(@Nullable AnnotatedElement... declarations) {
        for (AnnotatedElement e : declarations) {
            if (e != null && isNullable(e.getAnnotations())) {
                return true;
            }
        }
        return false;
    }

    /** Whether a value of {@code type} may be absent: an {@code Optional} of any kind. */
    static boolean isOptional(Type type) {
        Class<?> raw = TypeWalk.rawClass(type);
        return raw == Optional.class || raw == java.util.OptionalInt.class || raw == java.util.OptionalLong.class
                || raw == java.util.OptionalDouble.class;
    }

    static IllegalArgumentException reject(Type type, Class<?> raw, String path, Mode mode) {
        if (raw == Object.class) {
            return SchemaGenerator.unsupported(path, type,
                    "it admits any JSON value; use a concrete type" + (mode == Mode.LENIENT ? ", or JsonValue" : ""));
        }
        if (JsonValue.class.isAssignableFrom(raw)) {
            return SchemaGenerator.unsupported(path, type, "use JsonValue, JsonObject or JsonArray");
        }
        if (Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw) || raw == Optional.class) {
            return SchemaGenerator.unsupported(path, type,
                    "a raw " + raw.getSimpleName() + " has no element type; declare one, such as "
                            + raw.getSimpleName()
                            + (Map.class.isAssignableFrom(raw) ? "<String, String>" : "<String>"));
        }
        if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            return SchemaGenerator.unsupported(path, type,
                    "interfaces and abstract classes have no fixed properties; use a record");
        }
        return SchemaGenerator.unsupported(path, type,
                "only records and classes with a no-argument constructor are supported as object types");
    }
}
