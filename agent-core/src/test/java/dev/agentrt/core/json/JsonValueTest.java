package dev.agentrt.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

class JsonValueTest {
    @Test
    void parsesAndWritesEveryKindOfValue() {
        String text = "{\"s\":\"h\\u00e9 \\\"q\\\" \\n 😀\",\"i\":-42,\"big\":123456789012345678901234567890,"
                + "\"f\":0.1,\"t\":true,\"n\":null,\"a\":[1,[],{}],\"o\":{}}";
        JsonValue v = JsonValue.parse(text);
        JsonObject o = v.asObject();
        assertThat(o.getString("s")).contains("hé \"q\" \n 😀");
        assertThat(o.getLong("i")).contains(-42L);
        assertThat(((JsonValue.JsonNumber) o.get("big")).value()).isEqualTo(new BigDecimal(
                "123456789012345678901234567890"));
        assertThat(o.getDouble("f")).contains(0.1);
        assertThat(o.getBoolean("t")).contains(true);
        assertThat(o.get("n")).isEqualTo(JsonValue.nullValue());
        assertThat(JsonValue.parse(v.toJson())).isEqualTo(v);
        assertThat(o.members().keySet()).containsExactly("s", "i", "big", "f", "t", "n", "a", "o");
    }

    @Test
    void comparesNumbersByValue() {
        assertThat(JsonValue.parse("1.0")).isEqualTo(JsonValue.parse("1")).hasSameHashCodeAs(JsonValue.parse("1"));
        assertThat(JsonValue.parse("1.5").typeName()).isEqualTo("number");
        assertThat(JsonValue.parse("2.0").typeName()).isEqualTo("integer");
    }

    @Test
    void rejectsMalformedInputWithAClearError() {
        for (String bad : List.of("", "{", "{\"a\":}", "[1,]", "{\"a\":1}{", "nul", "{\"a\":1,\"a\":2}", "'x'",
                "[".repeat(1000))) {
            assertThatThrownBy(() -> JsonValue.parse(bad)).as(bad)
                    .isInstanceOf(JsonParseException.class)
                    .hasMessageContaining("JSON");
        }
    }

    @Test
    void convertsPlainJavaValues() {
        JsonValue v = JsonValue.of(Map.of("list", List.of(1, "two", true)));
        assertThat(v.toJson()).isEqualTo("{\"list\":[1,\"two\",true]}");
        assertThatThrownBy(() -> JsonValue.of(new Object())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonValue.of(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valuesAreImmutable() {
        var members = new java.util.LinkedHashMap<String, JsonValue>();
        members.put("a", JsonValue.of(1));
        JsonObject o = new JsonObject(members);
        members.put("b", JsonValue.of(2));
        assertThat(o.size()).isEqualTo(1);
        assertThatThrownBy(() -> o.members().put("c", JsonValue.of(3)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> JsonValue.parse("{\"a\":1}").asObject().members().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
