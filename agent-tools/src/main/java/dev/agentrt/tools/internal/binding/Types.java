package dev.agentrt.tools.internal.binding;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ToolContext;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Which parameter types a tool method may have: those a JSON Schema can describe and Jackson can
 * bind without guessing. Checked once, when the tool is made, so that a model never meets them.
 */
final class Types {
    private Types() {}

    /** @return why {@code type} is not supported, or {@code null} when it is */
    static @Nullable String unsupported(Type type) {
        return check(type, type.getTypeName(), new HashSet<>());
    }

    private static @Nullable String check(Type type, String path, Set<Type> seen) {
        if (!seen.add(type)) {
            return null;
        }
        return switch (type) {
            case Class<?> c -> checkClass(c, path, seen);
            case ParameterizedType p -> {
                Class<?> raw = (Class<?>) p.getRawType();
                String why = forbidden(raw, path);
                if (why == null) {
                    why = notCreatable(raw, path);
                }
                if (why != null) {
                    yield why;
                }
                for (Type argument : p.getActualTypeArguments()) {
                    why = check(argument, path, seen);
                    if (why != null) {
                        yield why;
                    }
                }
                yield null;
            }
            case GenericArrayType a -> check(a.getGenericComponentType(), path, seen);
            case TypeVariable<?> v -> path + ": the type variable " + v.getName()
                    + " has no concrete type; declare one";
            case WildcardType w -> path + ": the wildcard " + w.getTypeName() + " has no concrete type; declare one";
            default -> path + ": " + type.getTypeName() + " is not supported";
        };
    }

    private static @Nullable String checkClass(Class<?> c, String path, Set<Type> seen) {
        if (c.isPrimitive()) {
            return c == void.class ? path + ": void is not a value" : null;
        }
        if (c.isArray()) {
            return check(c.getComponentType(), path, seen);
        }
        String why = forbidden(c, path);
        if (why != null) {
            return why;
        }
        if (c.getTypeParameters().length > 0) {
            return path + ": the raw type " + c.getName() + " lacks its type arguments; declare them";
        }
        if (c == Object.class) {
            return path + ": Object says nothing about the value; declare a concrete type, or JsonValue for any JSON";
        }
        if (c.isRecord()) {
            for (RecordComponent component : c.getRecordComponents()) {
                why = check(component.getGenericType(), path + " > " + c.getSimpleName() + "." + component.getName(),
                        seen);
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        return notCreatable(c, path);
    }

    private static @Nullable String notCreatable(Class<?> c, String path) {
        boolean abstractType = c.isInterface() || Modifier.isAbstract(c.getModifiers());
        if (abstractType && !c.isEnum() && !JsonValue.class.isAssignableFrom(c) && !Collection.class.isAssignableFrom(c)
                && !Map.class.isAssignableFrom(c) && !c.isAnnotationPresent(JsonTypeInfo.class)
                && !CharSequence.class.isAssignableFrom(c) && !Number.class.isAssignableFrom(c)) {
            return path + ": " + c.getName() + " is abstract and has no @JsonTypeInfo, so Jackson cannot create one";
        }
        return null;
    }

    private static @Nullable String forbidden(Class<?> c, String path) {
        if (ToolContext.class.isAssignableFrom(c)) {
            return path + ": a ToolContext can only be a parameter of its own";
        }
        if (Publisher.class.isAssignableFrom(c) || CompletionStage.class.isAssignableFrom(c)
                || Future.class.isAssignableFrom(c)) {
            return path + ": " + c.getSimpleName() + " is not a value the model can pass";
        }
        return null;
    }
}
