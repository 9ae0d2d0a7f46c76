package dev.agentrt.inference.internal.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import jinjava.javax.el.CompositeELResolver;
import org.jspecify.annotations.Nullable;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A model's Jinja chat template, rendered the way Hugging Face transformers'
 * {@code apply_chat_template} does: with {@code trim_blocks} and {@code lstrip_blocks}, the
 * variables {@code messages}, {@code tools} (only when there are tools, in the OpenAI function
 * format), {@code add_generation_prompt} and the special tokens, the functions
 * {@code raise_exception} and {@code strftime_now}, transformers' {@code tojson}, and the Python
 * string methods and reversed slices templates use. Thread-safe.
 */
public final class ChatTemplate {
    private final Jinjava jinjava;
    private final String template;
    private final @Nullable String toolTemplate;
    private final Map<String, String> specialTokens;
    private final String source;

    /**
     * @param template the template for requests without tools
     * @param toolTemplate the template for requests with tools, when the model has a separate one
     * @param source the file the template came from, for error messages
     */
    public ChatTemplate(String template, @Nullable String toolTemplate, Map<String, String> specialTokens,
            String source) {
        this.template = lstripBlocks(template);
        this.toolTemplate = toolTemplate == null ? null : lstripBlocks(toolTemplate);
        this.specialTokens = Map.copyOf(specialTokens);
        this.source = source;
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStrings());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder().withTrimBlocks(true).withElResolver(resolver).build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFilter(new PythonToJson());
        jinjava.getGlobalContext()
                .registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                        "raiseException", String.class));
        jinjava.getGlobalContext()
                .registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class, "strftimeNow",
                        String.class));
    }

    /**
     * Jinja2's {@code lstrip_blocks}: spaces and tabs from the start of a line to a block or comment
     * tag go, unless the tag opens with {@code +}. Done here because Jinjava's own option also
     * strips spaces before a tag in the middle of a line, which changes what templates render.
     */
    static String lstripBlocks(String template) {
        String stripped = LINE_INDENT_BEFORE_TAG.matcher(template)
                .replaceAll("")
                .replace("{%+", "{%")
                .replace("{#+",
                        "{#");
        // Python's reversed slice, which Jinjava's parser does not know, as the filter that does the same.
        return REVERSED_SLICE.matcher(stripped).replaceAll("($1|reverse|list)");
    }

    private static final Pattern REVERSED_SLICE = Pattern.compile("([A-Za-z_][A-Za-z0-9_.]*)\\[::-1\\]");

    private static final Pattern LINE_INDENT_BEFORE_TAG = Pattern
            .compile("(?m)^[ \\t]+(?=\\{[%#](?!\\+))");

    /** Renders the prompt for {@code messages}, ending with the assistant's generation prompt. */
    public String render(List<Message> messages, List<ToolSpec> tools) {
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        bindings.put("messages", messages.stream().map(ChatTemplate::message).toList());
        bindings.put("add_generation_prompt", true);
        if (!tools.isEmpty()) {
            bindings.put("tools", tools.stream().map(ChatTemplate::tool).toList());
        }
        String text = tools.isEmpty() || toolTemplate == null ? template : toolTemplate;
        RenderResult result;
        try {
            result = jinjava.renderForResult(text, bindings);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the chat template of " + source + " failed: " + e.getMessage(), e);
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new IllegalArgumentException("the chat template of " + source + " failed: " + reason(error)
                        + (error.getLineno() > 0 ? " (template line " + error.getLineno() + ")" : ""));
            }
        }
        return result.getOutput();
    }

    /** The template's own words when it called {@code raise_exception}, else the engine's message. */
    private static String reason(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateRefusal) {
                return "the template refused the conversation: " + t.getMessage();
            }
        }
        return error.getMessage();
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
            arguments = java(JsonValue.parse(call.arguments()));
        } catch (RuntimeException e) {
            arguments = call.arguments();
        }
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", call.name());
        function.put("arguments", arguments);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", call.id());
        out.put("type", "function");
        out.put("function", function);
        return out;
    }

    private static Map<String, Object> tool(ToolSpec spec) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", spec.name());
        function.put("description", spec.description());
        function.put("parameters", java(spec.parameters()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "function");
        out.put("function", function);
        return out;
    }

    /** Plain Java maps, lists and scalars, which the template engine understands. */
    private static @Nullable Object java(JsonValue value) {
        return switch (value) {
            case JsonValue.JsonNull n -> null;
            case JsonValue.JsonBoolean b -> b.value();
            case JsonValue.JsonNumber n -> n.isIntegral() ? (Object) n.longValue() : (Object) n.doubleValue();
            case JsonValue.JsonString s -> s.value();
            case JsonArray a -> {
                List<@Nullable Object> items = new ArrayList<>(a.size());
                a.items().forEach(item -> items.add(java(item)));
                yield items;
            }
            case JsonObject o -> {
                Map<String, @Nullable Object> members = new LinkedHashMap<>();
                o.members().forEach((k, v) -> members.put(k, java(v)));
                yield members;
            }
        };
    }

    /** The template's {@code raise_exception(message)}: the template refuses the conversation. */
    public static String raiseException(String message) {
        throw new TemplateRefusal(message);
    }

    private static final class TemplateRefusal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateRefusal(String message) {
            super(message, null, false, false);
        }
    }

    /** The template's {@code strftime_now(format)} for the common directives. */
    public static String strftimeNow(String format) {
        LocalDateTime now = LocalDateTime.now();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String pattern = switch (d) {
                case 'Y' -> "yyyy";
                case 'm' -> "MM";
                case 'd' -> "dd";
                case 'B' -> "MMMM";
                case 'b' -> "MMM";
                case 'H' -> "HH";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'A' -> "EEEE";
                case 'a' -> "EEE";
                default -> null;
            };
            out.append(pattern == null ? "%" + d : now.format(DateTimeFormatter.ofPattern(pattern, Locale.ROOT)));
        }
        return out.toString();
    }
}
