package dev.agentrt.core.internal.binding;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.agentrt.core.internal.binding.SchemaGenerator.Property;
import org.jspecify.annotations.Nullable;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The properties of an object type, as the one mapper reads them: a record's components in
 * declaration order; a class's public fields, fields with a public getter and setters (Jackson's
 * default visibility), superclasses first. A name comes from {@link JsonProperty @JsonProperty} when
 * it has a value, a description from {@link JsonPropertyDescription @JsonPropertyDescription};
 * {@link JsonIgnore @JsonIgnore} leaves a property out. A property may be absent when its type is an
 * {@code Optional} or it is {@code @Nullable}, on its type or its declaration.
 */
final class Properties {
    private Properties() {}

    /** A property and the Java name it was found under, for paths in messages. */
    record Found(String javaName, Property property) {}

    static List<Found> of(Type type, Class<?> raw) {
        Map<TypeVariable<?>, Type> bindings = TypeWalk.bindings(raw, type);
        return raw.isRecord() ? ofRecord(raw, bindings) : ofBean(raw, bindings);
    }

    private static List<Found> ofRecord(Class<?> raw, Map<TypeVariable<?>, Type> bindings) {
        RecordComponent[] components = raw.getRecordComponents();
        Parameter[] parameters = canonicalConstructorParameters(raw, components);
        var found = new ArrayList<Found>(components.length);
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            Parameter parameter = i < parameters.length ? parameters[i] : null;
            Field field = field(raw, component.getName());
            AnnotatedElement[] declarations = {component, component.getAccessor(), field, parameter};
            Type componentType = TypeWalk.canonical(component.getGenericType(), bindings);
            found.add(new Found(component.getName(), property(component.getName(), componentType,
                    component.getAnnotatedType(), declarations)));
        }
        return found;
    }

    private static List<Found> ofBean(Class<?> raw, Map<TypeVariable<?>, Type> bindings) {
        var hierarchy = new ArrayList<Class<?>>();
        for (Class<?> c = raw; c != null && c != Object.class; c = c.getSuperclass()) {
            hierarchy.add(0, c);
        }
        var byName = new LinkedHashMap<String, Found>();
        var ignored = new HashSet<String>();
        for (Class<?> c : hierarchy) {
            for (Field f : c.getDeclaredFields()) {
                int modifiers = f.getModifiers();
                if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers) || f.isSynthetic()) {
                    continue;
                }
                if (f.isAnnotationPresent(JsonIgnore.class)) {
                    ignored.add(f.getName());
                    continue;
                }
                boolean visible = Modifier.isPublic(modifiers) || f.isAnnotationPresent(JsonProperty.class)
                        || hasPublicGetter(c, f.getName());
                if (visible) {
                    Property p = property(f.getName(), TypeWalk.canonical(f.getGenericType(), bindings),
                            f.getAnnotatedType(), new AnnotatedElement[]{f});
                    byName.putIfAbsent(p.name(), new Found(f.getName(), p));
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                String name = m.getName();
                if (Modifier.isStatic(m.getModifiers()) || m.isSynthetic() || m.isBridge() || m.getParameterCount() != 1
                        || name.length() <= 3 || !name.startsWith("set")) {
                    continue;
                }
                String javaName = decapitalize(name.substring(3));
                if (m.isAnnotationPresent(JsonIgnore.class) || ignored.contains(javaName)) {
                    continue;
                }
                Parameter parameter = m.getParameters()[0];
                Property p = property(javaName, TypeWalk.canonical(parameter.getParameterizedType(), bindings),
                        parameter.getAnnotatedType(), new AnnotatedElement[]{m, parameter});
                if (byName.values().stream().noneMatch(f -> f.javaName().equals(javaName))) {
                    byName.putIfAbsent(p.name(), new Found(javaName, p));
                }
            }
        }
        return List.copyOf(byName.values());
    }

    private static Property property(String javaName, Type type, AnnotatedType annotated,
            @Nullable AnnotatedElement[] declarations) {
        JsonProperty named = annotation(declarations, JsonProperty.class);
        String name = named == null || named.value().isEmpty() ? javaName : named.value();
        String description = SchemaGenerator.description(annotation(declarations, JsonPropertyDescription.class));
        boolean optional = Kinds.isOptional(type) || Kinds.isNullable(annotated) || Kinds.isNullable(declarations);
        return new Property(name, type, annotated, optional, description);
    }

    /**
     * An annotation of a property, wherever Java put it: on a record component, its accessor, its
     * field or its constructor parameter, depending on the targets the annotation allows.
     */
    private static <A extends Annotation> @Nullable A annotation(@Nullable AnnotatedElement[] declarations,
            Class<A> type) {
        for (AnnotatedElement e : declarations) {
            A found = e == null ? null : e.getAnnotation(type);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static boolean hasPublicGetter(Class<?> c, String field) {
        String suffix = field.isEmpty() ? field : Character.toUpperCase(field.charAt(0)) + field.substring(1);
        for (String prefix : List.of("get", "is")) {
            try {
                Method getter = c.getMethod(prefix + suffix);
                if (!Modifier.isStatic(getter.getModifiers())) {
                    return true;
                }
            } catch (NoSuchMethodException e) {
                // no such getter: try the next form
            }
        }
        return false;
    }

    /** {@code Name} → {@code name}, {@code URL} → {@code url}: Jackson's default for setter names. */
    private static String decapitalize(String name) {
        int upper = 0;
        while (upper < name.length() && Character.isUpperCase(name.charAt(upper))) {
            upper++;
        }
        return name.substring(0, upper).toLowerCase(Locale.ROOT) + name.substring(upper);
    }

    private static @Nullable Field field(Class<?> record, String name) {
        try {
            return record.getDeclaredField(name);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static Parameter[] canonicalConstructorParameters(Class<?> record, RecordComponent[] components) {
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            return record.getDeclaredConstructor(types).getParameters();
        } catch (NoSuchMethodException e) {
            return new Parameter[0];
        }
    }
}
