package dev.agentrt.inference.internal.chat;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.inference.internal.jinja.JinjaException;
import dev.agentrt.inference.internal.jinja.JinjaTemplate;
import org.jspecify.annotations.Nullable;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A model's Jinja chat template, rendered as Hugging Face transformers' {@code apply_chat_template}
 * renders it (see {@link JinjaTemplate}): with the variables {@code messages}, {@code tools} (the
 * OpenAI function format, or None when there are none), {@code documents} (None),
 * {@code add_generation_prompt} and the special tokens. Tool-call arguments are passed as objects,
 * as transformers passes them, with JSON numbers read as Python's {@code json.loads} reads them
 * ({@code 1.0} stays a float). Thread-safe.
 */
public final class ChatTemplate {
    private final Compiled template;
    private final @Nullable Compiled toolTemplate;
    private final Map<String, String> specialTokens;
    private final String source;
    private final Supplier<LocalDateTime> clock;

    /** A parsed template, or why it could not be parsed (reported when it is first rendered). */
    private record Compiled(@Nullable JinjaTemplate template, @Nullable JinjaException error) {
        static Compiled of(String text) {
            try {
                return new Compiled(JinjaTemplate.parse(text), null);
            } catch (JinjaException e) {
                return new Compiled(null, e);
            }
        }
    }

    /**
     * @param template the template for requests without tools
     * @param toolTemplate the template for requests with tools, when the model has a separate one
     * @param source the file the template came from, for error messages
     */
    public ChatTemplate(String template, @Nullable String toolTemplate, Map<String, String> specialTokens,
            String source) {
        this(template, toolTemplate, specialTokens, source, LocalDateTime::now);
    }

    /** As above, with the clock {@code strftime_now} reads. */
    ChatTemplate(String template, @Nullable String toolTemplate, Map<String, String> specialTokens, String source,
            Supplier<LocalDateTime> clock) {
        this.template = Compiled.of(template);
        this.toolTemplate = toolTemplate == null ? null : Compiled.of(toolTemplate);
        this.specialTokens = Map.copyOf(specialTokens);
        this.source = source;
        this.clock = clock;
    }

    /**
     * Renders the prompt for {@code messages}, ending with the assistant's generation prompt.
     *
     * @throws IllegalArgumentException when the template fails or refuses the conversation (its
     *         {@code raise_exception} message is in the exception's message)
     */
    public String render(List<Message> messages, List<ToolSpec> tools) {
        Map<String, @Nullable Object> variables = new HashMap<>(specialTokens);
        variables.put("messages", messages.stream().map(ChatTemplate::message).toList());
        variables.put("tools", tools.isEmpty() ? null : tools.stream().map(ChatTemplate::tool).toList());
        variables.put("documents", null);
        variables.put("add_generation_prompt", true);
        Compiled compiled = tools.isEmpty() || toolTemplate == null ? template : toolTemplate;
        try {
            if (compiled.template() == null) {
                throw compiled.error();
            }
            return compiled.template().render(variables, clock);
        } catch (JinjaException e) {
            String reason = e.raisedByTemplate()
                    ? "the template refused the conversation: " + e.getMessage()
                    : e.describe();
            throw new IllegalArgumentException("the chat template of " + source + " failed: " + reason, e);
        }
    }

    private static Map<String, Object> message(Message message) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (message) {
            case Message.System s -> {
                out.put("role", "system");
                out.put("content", s.text());
            }
            case Message.User u -> {
                out.put("role", "user");
                out.put("content", u.text());
            }
            case Message.Assistant a -> {
                out.put("role", "assistant");
                out.put("content", a.text());
                if (a.hasToolCalls()) {
                    out.put("tool_calls", a.toolCalls().stream().map(ChatTemplate::toolCall).toList());
                }
            }
            case Message.ToolResult r -> {
                out.put("role", "tool");
                out.put("content", r.content());
                out.put("tool_call_id", r.callId());
                out.put("name", r.toolName());
            }
        }
        return out;
    }

    private static Map<String, Object> toolCall(ToolCall call) {
        Object arguments;
        try {
            arguments = python(JsonValue.parse(call.arguments()));
        } catch (RuntimeException e) {
            arguments = call.arguments();
        }
        Map<String, @Nullable Object> function = new LinkedHashMap<>();
        function.put("name", call.name());
        function.put("arguments", arguments);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", call.id());
        out.put("type", "function");
        out.put("function", function);
        return out;
    }

    private static Map<String, Object> tool(ToolSpec spec) {
        Map<String, @Nullable Object> function = new LinkedHashMap<>();
        function.put("name", spec.name());
        function.put("description", spec.description());
        function.put("parameters", python(spec.parameters()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "function");
        out.put("function", function);
        return out;
    }

    /**
     * JSON as Python's {@code json.loads} gives it to the template: a number written with a fraction
     * or an exponent is a float ({@code 1.0}, {@code 1e16}), one without is an int.
     */
    static @Nullable Object python(JsonValue value) {
        return switch (value) {
            case JsonValue.JsonNull n -> null;
            case JsonValue.JsonBoolean b -> b.value();
            case JsonValue.JsonNumber n -> n.value().scale() == 0 && n.value().unscaledValue().bitLength() < 64
                    ? (Object) n.value().longValue()
                    : (Object) n.value().doubleValue();
            case JsonValue.JsonString s -> s.value();
            case JsonArray a -> {
                List<@Nullable Object> items = new ArrayList<>(a.size());
                a.items().forEach(item -> items.add(python(item)));
                yield items;
            }
            case JsonObject o -> {
                Map<String, @Nullable Object> members = new LinkedHashMap<>();
                o.members().forEach((k, v) -> members.put(k, python(v)));
                yield members;
            }
        };
    }
}
