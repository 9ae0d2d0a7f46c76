package dev.agentrt.core.internal.binding;

import org.jspecify.annotations.Nullable;

import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.AnnotatedWildcardType;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reflection over generic types: type variables replaced by their bindings, in a canonical form
 * with structural equality (so that the same type met twice is one key), and the type arguments of
 * a collection's or map's supertype with their type-use annotations.
 */
final class TypeWalk {
    private TypeWalk() {}

    /** A type argument and its annotated form, when that could be found. */
    record Argument(Type type, @Nullable AnnotatedType annotated) {}

    /**
     * {@code type} with its type variables replaced by their {@code bindings} and bounded wildcards by
     * their bound, in a form with structural equality. Unbound type variables and wildcards without a
     * bound are kept, to be reported with the path where they are used.
     */
    static Type canonical(Type type, Map<TypeVariable<?>, Type> bindings) {
        return switch (type) {
            case Class<?> c -> c;
            case ParameterizedType p when p.getRawType() instanceof Class<?> raw -> new Parameterized(raw,
                    Arrays.stream(p.getActualTypeArguments()).map(a -> canonical(a, bindings)).toList());
            case GenericArrayType a -> {
                Type component = canonical(a.getGenericComponentType(), bindings);
                yield component instanceof Class<?> c ? c.arrayType() : new ArrayOf(component);
            }
            case TypeVariable<?> v -> bindings.getOrDefault(v, v);
            case WildcardType w when w.getLowerBounds().length == 0 && w.getUpperBounds().length == 1
                    && w.getUpperBounds()[0] != Object.class ->
                canonical(w.getUpperBounds()[0], bindings);
            default -> type;
        };
    }

    static @Nullable Class<?> rawClass(Type type) {
        return switch (type) {
            case Class<?> c -> c;
            case ParameterizedType p when p.getRawType() instanceof Class<?> raw -> raw;
            default -> null;
        };
    }

    /** The type variables of {@code raw} bound to the type arguments of {@code type}. */
    static Map<TypeVariable<?>, Type> bindings(Class<?> raw, Type type) {
        if (!(type instanceof Parameterized p)) {
            return Map.of();
        }
        TypeVariable<?>[] variables = raw.getTypeParameters();
        var bindings = new HashMap<TypeVariable<?>, Type>();
        for (int i = 0; i < Math.min(variables.length, p.arguments().size()); i++) {
            bindings.put(variables[i], p.arguments().get(i));
        }
        return bindings;
    }

    /**
     * The type argument at {@code index} of the supertype {@code target} (such as {@code Collection}
     * or {@code Map}) of {@code type}, whose raw class is {@code raw}, resolved; with its annotated
     * form when {@code raw} passes one of its own type variables straight through.
     */
    static Argument typeArgument(Type type, Class<?> raw, @Nullable AnnotatedType annotated, Class<?> target,
            int index) {
        // The argument in terms of raw's own type variables, so that its annotations can be found.
        Type argument = typeArgument(raw, Map.of(), target, index);
        int position = argument instanceof TypeVariable<?> v ? Arrays.asList(raw.getTypeParameters()).indexOf(v) : -1;
        Type resolved = canonical(argument, bindings(raw, type));
        return new Argument(resolved, position < 0 ? null : argumentOf(annotated, position));
    }

    private static Type typeArgument(Class<?> raw, Map<TypeVariable<?>, Type> bindings, Class<?> target, int index) {
        if (raw == target) {
            TypeVariable<?> variable = target.getTypeParameters()[index];
            return bindings.getOrDefault(variable, variable);
        }
        var supertypes = new ArrayList<Type>();
        if (raw.getGenericSuperclass() != null) {
            supertypes.add(raw.getGenericSuperclass());
        }
        supertypes.addAll(List.of(raw.getGenericInterfaces()));
        for (Type supertype : supertypes) {
            Class<?> superclass = rawClass(supertype);
            if (superclass != null && target.isAssignableFrom(superclass)) {
                Type resolved = canonical(supertype, bindings);
                return typeArgument(superclass, bindings(superclass, resolved), target, index);
            }
        }
        throw new IllegalStateException(raw.getTypeName() + " does not extend " + target.getTypeName());
    }

    static @Nullable AnnotatedType upperBound(@Nullable AnnotatedType type) {
        if (type instanceof AnnotatedWildcardType w && w.getAnnotatedLowerBounds().length == 0
                && w.getAnnotatedUpperBounds().length == 1) {
            return w.getAnnotatedUpperBounds()[0];
        }
        return type;
    }

    /**
     * The annotated type argument at {@code index}; null when the annotated type does not have the
     * structure of the type, which happens where a type variable was replaced by its binding.
     */
    static @Nullable AnnotatedType argumentOf(@Nullable AnnotatedType type, int index) {
        if (type instanceof AnnotatedParameterizedType p && index < p.getAnnotatedActualTypeArguments().length) {
            return p.getAnnotatedActualTypeArguments()[index];
        }
        return null;
    }

    static @Nullable AnnotatedType componentOf(@Nullable AnnotatedType type) {
        return type instanceof AnnotatedArrayType a ? a.getAnnotatedGenericComponentType() : null;
    }

    /** A parameterized type with structural equality, whatever implementation it was made from. */
    record Parameterized(Class<?> raw, List<Type> arguments) implements ParameterizedType {
        @Override
        public Type[] getActualTypeArguments() {
            return arguments.toArray(Type[]::new);
        }

        @Override
        public Type getRawType() {
            return raw;
        }

        @Override
        public @Nullable Type getOwnerType() {
            return raw.getDeclaringClass();
        }

        @Override
        public String getTypeName() {
            return arguments.stream()
                    .map(Type::getTypeName)
                    .collect(Collectors.joining(", ", raw.getTypeName() + "<", ">"));
        }

        @Override
        public String toString() {
            return getTypeName();
        }
    }

    /** An array of a parameterized type or type variable, with structural equality. */
    record ArrayOf(Type component) implements GenericArrayType {
        @Override
        public Type getGenericComponentType() {
            return component;
        }

        @Override
        public String getTypeName() {
            return component.getTypeName() + "[]";
        }

        @Override
        public String toString() {
            return getTypeName();
        }
    }
}
