package dev.agentrt.core.internal.binding;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonBoolean;
import dev.agentrt.core.json.JsonValue.JsonNumber;
import dev.agentrt.core.json.JsonValue.JsonString;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The {@link Reader} of each parameter type. Strings, numbers, booleans, plain enums and the core's
 * JSON values are read straight from the validated {@link JsonValue}; everything else goes through a
 * Jackson {@link ObjectReader} made once per parameter.
 */
public final class Readers {
    private Readers() {}

    public static Reader forType(Type type) {
        if (type instanceof Class<?> c) {
            Reader direct = direct(c);
            if (direct != null) {
                return direct;
            }
            if (c.isEnum()) {
                Reader byName = enumByName(c);
                if (byName != null) {
                    return byName;
                }
            }
        }
        return jackson(type);
    }

    /** Wraps the reader of {@code Optional<T>}'s {@code T}. */
    public static Reader optional(Reader element) {
        return v -> Optional.ofNullable(element.read(v));
    }

    public static Reader optionalInt() {
        return v -> OptionalInt.of(intValue(v));
    }

    public static Reader optionalLong() {
        return v -> OptionalLong.of(longValue(v));
    }

    public static Reader optionalDouble() {
        return v -> OptionalDouble.of(number(v).doubleValue());
    }

    private static @Nullable Reader direct(Class<?> c) {
        if (c == String.class) {
            return v -> {
                if (v instanceof JsonString(String s)) {
                    return s;
                }
                throw mismatch("a string", v);
            };
        }
        if (c == int.class || c == Integer.class) {
            return Readers::intValue;
        }
        if (c == long.class || c == Long.class) {
            return Readers::longValue;
        }
        if (c == double.class || c == Double.class) {
            return v -> number(v).doubleValue();
        }
        if (c == float.class || c == Float.class) {
            return v -> (float) number(v).doubleValue();
        }
        if (c == short.class || c == Short.class) {
            return v -> exact(v, "an integer from -32768 to 32767", n -> n.shortValueExact());
        }
        if (c == byte.class || c == Byte.class) {
            return v -> exact(v, "an integer from -128 to 127", n -> n.byteValueExact());
        }
        if (c == boolean.class || c == Boolean.class) {
            return v -> {
                if (v instanceof JsonBoolean b) {
                    return b.value();
                }
                throw mismatch("a boolean", v);
            };
        }
        if (c == BigDecimal.class) {
            return v -> number(v).value();
        }
        if (c == BigInteger.class) {
            // An integer of more than 1000 digits is refused before BigInteger spends time and memory on 1e999999999.
            return v -> exact(v, "an integer of at most 1000 digits",
                    n -> n.precision() - n.scale() <= 1000 ? n.toBigIntegerExact() : null);
        }
        if (c == JsonValue.class) {
            return v -> v;
        }
        if (c == JsonObject.class || c == JsonArray.class) {
            String expected = c == JsonObject.class ? "an object" : "an array";
            return v -> {
                if (c.isInstance(v)) {
                    return v;
                }
                throw mismatch(expected, v);
            };
        }
        return null;
    }

    /**
     * Reads an enum without Jackson when Jackson would read each constant from the string it writes
     * for it (its name, {@code @JsonProperty} or {@code @JsonValue}) and nothing else could change that.
     */
    private static @Nullable Reader enumByName(Class<?> type) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.isAnnotationPresent(com.fasterxml.jackson.annotation.JsonCreator.class)) {
                return null;
            }
        }
        var byText = new HashMap<String, Object>();
        for (Object constant : type.getEnumConstants()) {
            String json;
            try {
                json = Json.MAPPER.writeValueAsString(constant);
            } catch (JacksonException e) {
                return null;
            }
            JsonValue written = JsonValue.parse(json);
            if (!(written instanceof JsonString(String text)) || byText.put(text, constant) != null) {
                return null;
            }
        }
        Map<String, Object> constants = Map.copyOf(byText);
        String expected = "one of " + String.join(", ", constants.keySet().stream().sorted().toList());
        return v -> {
            if (v instanceof JsonString(String s)) {
                Object constant = constants.get(s);
                if (constant != null) {
                    return constant;
                }
            }
            throw mismatch(expected, v);
        };
    }

    private static Reader jackson(Type type) {
        ObjectReader reader = Json.MAPPER.readerFor(Json.MAPPER.constructType(type));
        return v -> {
            try {
                return reader.readValue(v.toJson());
            } catch (JacksonException e) {
                throw new BindingException(e.getOriginalMessage());
            }
        };
    }

    private static int intValue(JsonValue v) {
        return exact(v, "an integer from -2147483648 to 2147483647", BigDecimal::intValueExact);
    }

    private static long longValue(JsonValue v) {
        return exact(v, "an integer from -9223372036854775808 to 9223372036854775807", BigDecimal::longValueExact);
    }

    private static JsonNumber number(JsonValue v) {
        if (v instanceof JsonNumber n) {
            return n;
        }
        throw mismatch("a number", v);
    }

    private interface Exact<T> {
        /** The value, or {@code null} (or an {@code ArithmeticException}) when it does not fit. */
        @Nullable
        T convert(BigDecimal value);
    }

    private static <T> T exact(JsonValue v, String expected, Exact<T> exact) {
        if (v instanceof JsonNumber(BigDecimal n)) {
            try {
                T converted = exact.convert(n);
                if (converted != null) {
                    return converted;
                }
            } catch (ArithmeticException outOfRange) {
                // reported below
            }
        }
        throw mismatch(expected, v);
    }

    private static BindingException mismatch(String expected, JsonValue found) {
        String text = found.toJson();
        return new BindingException("expected " + expected + ", got " + found.typeName() + " "
                + (text.length() > 80 ? text.substring(0, 80) + "…" : text));
    }
}
