package dev.agentrt.core.internal.binding;

import dev.agentrt.core.internal.binding.SchemaGenerator.Scalar;
import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON type of the Java values written as one JSON scalar, and the {@code format} of those whose
 * text follows a standard (RFC 3339 dates and times, ISO 8601 durations, UUIDs). Only formats that
 * OpenAI's strict mode accepts are used; {@code LocalDateTime} and {@code LocalTime} carry no offset,
 * so they match no standard format and have none.
 */
final class Scalars {
    private static final Map<Class<?>, Scalar> SCALARS = scalars();

    private Scalars() {}

    static @Nullable Scalar of(Class<?> type) {
        return SCALARS.get(type);
    }

    private static Map<Class<?>, Scalar> scalars() {
        var scalars = new HashMap<Class<?>, Scalar>();
        for (Class<?> c : List.of(boolean.class, Boolean.class)) {
            scalars.put(c, new Scalar("boolean", null));
        }
        for (Class<?> c : List.of(byte.class, short.class, int.class, long.class, Byte.class, Short.class,
                Integer.class, Long.class, BigInteger.class, Year.class)) {
            scalars.put(c, new Scalar("integer", null));
        }
        for (Class<?> c : List.of(float.class, double.class, Float.class, Double.class, BigDecimal.class)) {
            scalars.put(c, new Scalar("number", null));
        }
        for (Class<?> c : List.of(String.class, CharSequence.class, char.class, Character.class, char[].class,
                URI.class,
                URL.class, Locale.class, Currency.class, LocalTime.class, LocalDateTime.class, YearMonth.class,
                MonthDay.class, ZoneId.class, ZoneOffset.class)) {
            scalars.put(c, new Scalar("string", null));
        }
        scalars.put(UUID.class, new Scalar("string", "uuid"));
        scalars.put(LocalDate.class, new Scalar("string", "date"));
        for (Class<?> c : List.of(Instant.class, OffsetDateTime.class, ZonedDateTime.class)) {
            scalars.put(c, new Scalar("string", "date-time"));
        }
        scalars.put(OffsetTime.class, new Scalar("string", "time"));
        for (Class<?> c : List.of(Duration.class, Period.class)) {
            scalars.put(c, new Scalar("string", "duration"));
        }
        return Map.copyOf(scalars);
    }
}
