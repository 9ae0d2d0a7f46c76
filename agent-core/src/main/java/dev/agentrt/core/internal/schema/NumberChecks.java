package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.echo;
import static dev.agentrt.core.internal.schema.Echo.number;
import static dev.agentrt.core.internal.schema.Keywords.decimal;
import static dev.agentrt.core.internal.schema.Keywords.invalid;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonBoolean;
import dev.agentrt.core.json.JsonValue.JsonNumber;
import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.math.BigInteger;

/** {@code minimum}, {@code maximum}, their exclusive forms and {@code multipleOf}; other types pass. */
final class NumberChecks extends Node {
    private final @Nullable BigDecimal minimum;
    private final @Nullable BigDecimal exclusiveMinimum;
    private final @Nullable BigDecimal maximum;
    private final @Nullable BigDecimal exclusiveMaximum;
    private final @Nullable BigDecimal multipleOf;

    NumberChecks(@Nullable BigDecimal minimum, @Nullable BigDecimal exclusiveMinimum, @Nullable BigDecimal maximum,
            @Nullable BigDecimal exclusiveMaximum, @Nullable BigDecimal multipleOf) {
        this.minimum = minimum;
        this.exclusiveMinimum = exclusiveMinimum;
        this.maximum = maximum;
        this.exclusiveMaximum = exclusiveMaximum;
        this.multipleOf = multipleOf;
    }

    @Override
    boolean test(JsonValue value, int depth) {
        if (!(value instanceof JsonNumber(BigDecimal x))) {
            return true;
        }
        try {
            return (minimum == null || x.compareTo(minimum) >= 0)
                    && (exclusiveMinimum == null || x.compareTo(exclusiveMinimum) > 0)
                    && (maximum == null || x.compareTo(maximum) <= 0)
                    && (exclusiveMaximum == null || x.compareTo(exclusiveMaximum) < 0)
                    && (multipleOf == null || isMultipleOf(x, multipleOf));
        } catch (ArithmeticException e) {
            return false;
        }
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (!(value instanceof JsonNumber(BigDecimal x))) {
            return;
        }
        String got = ", got " + echo(value);
        if (minimum != null && x.compareTo(minimum) < 0) {
            c.add("expected a number >= " + number(minimum) + got);
        }
        if (exclusiveMinimum != null && x.compareTo(exclusiveMinimum) <= 0) {
            c.add("expected a number > " + number(exclusiveMinimum) + got);
        }
        if (maximum != null && x.compareTo(maximum) > 0) {
            c.add("expected a number <= " + number(maximum) + got);
        }
        if (exclusiveMaximum != null && x.compareTo(exclusiveMaximum) >= 0) {
            c.add("expected a number < " + number(exclusiveMaximum) + got);
        }
        if (multipleOf != null) {
            try {
                if (!isMultipleOf(x, multipleOf)) {
                    c.add("expected a multiple of " + number(multipleOf) + got);
                }
            } catch (ArithmeticException e) {
                c.add("expected a multiple of " + number(multipleOf) + got + ", which is out of range");
            }
        }
    }

    /** Exact: {@code x / d} is an integer. The work is bounded by the digits of the operands, never by exponents. */
    private static boolean isMultipleOf(BigDecimal x, BigDecimal d) {
        if (x.signum() == 0) {
            return true;
        }
        if (x.scale() == 0 && d.scale() == 0 && x.precision() < 19 && d.precision() < 19) {
            return x.longValue() % d.longValue() == 0;
        }
        BigDecimal xs = x.stripTrailingZeros();
        BigDecimal ds = d.stripTrailingZeros();
        // x / d = (ux / ud) * 10^k with ux, ud the unscaled values; ux has no factor 10 left.
        long k = (long) ds.scale() - xs.scale();
        if (k < 0) {
            return false; // would need 10^-k to divide ux
        }
        BigInteger ud = ds.unscaledValue().abs();
        // Beyond ud's count of factors 2 and 5, more powers of ten change nothing.
        int powers = (int) Math.min(k, ud.bitLength() + 1L);
        return xs.unscaledValue().multiply(BigInteger.TEN.pow(powers)).mod(ud).signum() == 0;
    }

    /** The checks of {@code s}'s numeric keywords, or null when it has none. */
    static @Nullable Node compile(JsonObject s, String at) {
        BigDecimal minimum = decimal(s, "minimum", at);
        BigDecimal maximum = decimal(s, "maximum", at);
        BigDecimal exclusiveMinimum = null;
        BigDecimal exclusiveMaximum = null;
        // Draft 4 spelled exclusive bounds as a boolean next to minimum and maximum.
        if (s.get("exclusiveMinimum") instanceof JsonBoolean exclusive) {
            if (exclusive.value()) {
                exclusiveMinimum = minimum;
                minimum = null;
            }
        } else {
            exclusiveMinimum = decimal(s, "exclusiveMinimum", at);
        }
        if (s.get("exclusiveMaximum") instanceof JsonBoolean exclusive) {
            if (exclusive.value()) {
                exclusiveMaximum = maximum;
                maximum = null;
            }
        } else {
            exclusiveMaximum = decimal(s, "exclusiveMaximum", at);
        }
        BigDecimal multipleOf = decimal(s, "multipleOf", at);
        if (multipleOf != null && multipleOf.signum() <= 0) {
            throw invalid(at, "\"multipleOf\" must be greater than 0, got " + number(multipleOf));
        }
        if (minimum == null && maximum == null && exclusiveMinimum == null && exclusiveMaximum == null
                && multipleOf == null) {
            return null;
        }
        return new NumberChecks(minimum, exclusiveMinimum, maximum, exclusiveMaximum, multipleOf);
    }
}
