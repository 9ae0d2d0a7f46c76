package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.model.Media;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * MCP image and audio content as {@link Media} for the model. A tool result's images and sounds are attached to
 * the result the model reads (at most {@link #MAX_ITEMS} of them and {@link Media#MAX_BYTES} bytes in all), and
 * its text says, where each was, what was attached or why it was not (a MIME type the models do not take, too
 * large, malformed base64).
 */
final class McpMedia {
    /** The most images and sounds attached from one tool result. */
    static final int MAX_ITEMS = 8;

    private McpMedia() {}

    /** A tool result's text (with a line for each image or sound) and the media attached. */
    record Converted(String text, List<Media> media) {}

    static Converted toolResult(McpSchema.CallToolResult result) {
        List<McpSchema.Content> content = result.content() == null ? List.of() : result.content();
        var parts = new ArrayList<String>(content.size());
        var media = new ArrayList<Media>();
        long total = 0;
        for (McpSchema.Content c : content) {
            if (!(c instanceof McpSchema.ImageContent || c instanceof McpSchema.AudioContent)) {
                parts.add(McpJson.describe(c));
                continue;
            }
            String what = McpJson.describe(c);
            String why;
            try {
                Media item = media(c);
                if (media.size() == MAX_ITEMS) {
                    why = "more than " + MAX_ITEMS + " images and sounds in one result";
                } else if (total + item.size() > Media.MAX_BYTES) {
                    why = "the result's media would exceed " + Media.MAX_BYTES + " bytes";
                } else {
                    media.add(item);
                    total += item.size();
                    parts.add(what.substring(0, what.length() - 1) + ", attached as attachment "
                            + media.size() + "]");
                    continue;
                }
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
            parts.add(what.substring(0, what.length() - 1) + ", not attached: " + why + "]");
        }
        if (parts.isEmpty() && result.structuredContent() != null) {
            parts.add(McpJson.write(result.structuredContent()));
        }
        return new Converted(String.join("\n", parts), List.copyOf(media));
    }

    /**
     * An MCP image or audio block as media.
     *
     * @throws IllegalArgumentException when it is neither, or its MIME type, size or data is not accepted
     */
    static Media media(McpSchema.Content c) {
        return switch (c) {
            case McpSchema.ImageContent i -> new Media.Image(require(i.mimeType(), "mimeType"),
                    strip(require(i.data(), "data")), null);
            case McpSchema.AudioContent a -> new Media.Audio(require(a.mimeType(), "mimeType"),
                    strip(require(a.data(), "data")));
            default -> throw new IllegalArgumentException(c.type() + " content is not an image or a sound");
        };
    }

    private static String require(@Nullable String value, String name) {
        if (value == null) {
            throw new IllegalArgumentException("it has no " + name);
        }
        return value;
    }

    /** Base64 as some servers send it, wrapped in lines: the line breaks taken out. */
    private static String strip(String data) {
        return data.indexOf('\n') < 0 && data.indexOf('\r') < 0 ? data : data.replaceAll("[\\r\\n]", "");
    }
}
