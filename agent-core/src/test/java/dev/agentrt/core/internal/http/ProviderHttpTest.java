package dev.agentrt.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

class ProviderHttpTest {
    static final long NOW = ZonedDateTime.of(2026, 11, 25, 12, 0, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli();

    @Test
    void retryAfterInSecondsIsADelay() {
        assertThat(ProviderHttp.parseRetryAfter("30", NOW)).isEqualTo(Duration.ofSeconds(30));
        assertThat(ProviderHttp.parseRetryAfter(" 1.5 ", NOW)).isEqualTo(Duration.ofMillis(1500));
        assertThat(ProviderHttp.parseRetryAfter("0", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void retryAfterAsAnHttpDateIsTheTimeUntilThen() {
        String inTwoMinutes = DateTimeFormatter.RFC_1123_DATE_TIME
                .format(ZonedDateTime.of(2026, 11, 25, 12, 2, 0, 0, ZoneOffset.UTC));

        assertThat(inTwoMinutes).isEqualTo("Wed, 25 Nov 2026 12:02:00 GMT");
        assertThat(ProviderHttp.parseRetryAfter(inTwoMinutes, NOW)).isEqualTo(Duration.ofMinutes(2));
        assertThat(ProviderHttp.parseRetryAfter("Wed, 25 Nov 2026 11:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void unreadableOrNegativeRetryAfterIsIgnored() {
        assertThat(ProviderHttp.parseRetryAfter("soon", NOW)).isNull();
        assertThat(ProviderHttp.parseRetryAfter("-5", NOW)).isNull();
        assertThat(ProviderHttp.parseRetryAfter("NaN", NOW)).isNull();
        assertThat(ProviderHttp.parseRetryAfter("Infinity", NOW)).isNull();
        assertThat(ProviderHttp.parseRetryAfter("", NOW)).isNull();
    }

    @Test
    void theProvidersMessageIsFoundInEachErrorShape() {
        assertThat(ProviderHttp.errorMessage(JsonValue.parse(
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}").asObject(),
                ""))
                .isEqualTo("overloaded_error: Overloaded");
        assertThat(ProviderHttp.errorMessage(JsonValue.parse(
                "{\"error\":{\"message\":\"Invalid key\",\"type\":null,\"code\":\"invalid_api_key\"}}").asObject(), ""))
                .isEqualTo("invalid_api_key: Invalid key");
        assertThat(ProviderHttp.errorMessage(JsonValue.parse("{\"error\":\"model not found\"}").asObject(), ""))
                .isEqualTo("model not found");
        assertThat(ProviderHttp.errorMessage(JsonValue.parse("{\"detail\":\"Not Found\"}").asObject(), ""))
                .isEqualTo("Not Found");
        assertThat(ProviderHttp.errorMessage(null, "  <html>Bad Gateway</html> "))
                .isEqualTo("<html>Bad Gateway</html>");
        assertThat(ProviderHttp.errorMessage(null, "x".repeat(5000))).hasSize(2003).endsWith("...");
    }

    @Test
    void overloadRateLimitAndServerErrorsInsideAReplyAreRetryable() {
        assertThat(ProviderHttp.retryableError(JsonValue.parse(
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")
                .asObject()))
                .isTrue();
        assertThat(ProviderHttp.retryableError(JsonValue.parse(
                "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}").asObject())).isFalse();
        assertThat(ProviderHttp.retryableError(JsonValue.parse("{\"error\":{\"code\":503}}").asObject())).isTrue();
    }
    static boolean quota(String body) {
        JsonObject json;
        try {
            json = JsonValue.parse(body) instanceof JsonObject o ? o : null;
        } catch (JsonParseException notJson) {
            json = null;
        }
        return ProviderHttp.quotaExhausted(json, body);
    }

    @Test
    void anExhaustedQuotaIsToldApartFromARateLimit() {
        // OpenAI (code or only type), Anthropic, an Azure-style kind, Ollama's cloud, OpenRouter, DeepSeek, xAI.
        assertThat(List.of(
                "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan and billing details.\","
                        + "\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}",
                "{\"error\":{\"message\":\"Your account is not active, please check your billing details on our "
                        + "website.\",\"type\":\"billing_not_active\",\"param\":null,\"code\":null}}",
                "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Your credit "
                        + "balance is too low to access the Anthropic API.\"}}",
                "{\"type\":\"error\",\"error\":{\"type\":\"billing_error\",\"message\":\"Billing issue\"}}",
                "{\"error\":{\"code\":\"InsufficientQuota\",\"message\":\"quota\"}}",
                "{\"error\":\"you (someone) have reached your session usage limit, upgrade for higher limits\"}",
                "{\"error\":{\"code\":402,\"message\":\"Insufficient credits. Add more using https://openrouter.ai\"}}",
                "{\"error\":{\"message\":\"Insufficient Balance\",\"type\":\"unknown_error\"}}",
                "{\"code\":\"Some resource has been exhausted\",\"error\":\"Your team has either used all available "
                        + "credits or reached its monthly spending limit.\"}",
                "insufficient balance"))
                .allSatisfy(body -> assertThat(quota(body)).as(body).isTrue());
        // Rate limits that pass: OpenAI's, Anthropic's, and Gemini's per-minute RESOURCE_EXHAUSTED, whose
        // message also speaks of "your current quota".
        assertThat(List.of(
                "{\"error\":{\"message\":\"Rate limit reached for gpt-4.1-mini\",\"type\":\"requests\","
                        + "\"code\":\"rate_limit_exceeded\"}}",
                "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of requests "
                        + "exceeded\"}}",
                "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota, please check your plan and "
                        + "billing details.\",\"status\":\"RESOURCE_EXHAUSTED\"}}",
                "{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}",
                "Too Many Requests"))
                .allSatisfy(body -> assertThat(quota(body)).as(body).isFalse());
        assertThat(ProviderHttp.retryableError(JsonValue.parse(
                "{\"error\":{\"type\":\"insufficient_quota\",\"code\":429,\"message\":\"quota\"}}").asObject()))
                .isFalse();
    }
}
