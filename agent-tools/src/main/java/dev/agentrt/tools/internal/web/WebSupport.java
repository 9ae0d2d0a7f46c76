package dev.agentrt.tools.internal.web;

import org.jspecify.annotations.Nullable;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Small helpers the web tools share. */
public final class WebSupport {
    private WebSupport() {}

    /** The media type of a Content-Type header, lower case without parameters; empty when absent. */
    public static String mediaType(@Nullable String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).strip().toLowerCase(Locale.ROOT);
    }

    /** The charset parameter of a Content-Type header, when present and known. */
    public static @Nullable Charset charset(@Nullable String contentType) {
        if (contentType == null) {
            return null;
        }
        for (String part : contentType.split(";")) {
            String p = part.strip();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String name = p.substring(8).replace("\"", "").strip();
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException unknown) {
                    return null;
                }
            }
        }
        return null;
    }

    /** Whether a media type is text a model can read (HTML, text/*, JSON, XML and their +json/+xml kin). */
    public static boolean isText(String mediaType) {
        return mediaType.startsWith("text/") || mediaType.equals("application/json")
                || mediaType.equals("application/xhtml+xml") || mediaType.equals("application/xml")
                || mediaType.equals("application/javascript") || mediaType.equals("application/x-ndjson")
                || mediaType.endsWith("+json") || mediaType.endsWith("+xml");
    }

    /** Whether the start of a body has a NUL byte: binary, whatever its headers say. */
    public static boolean looksBinary(byte[] body) {
        for (int i = 0, n = Math.min(body.length, 1024); i < n; i++) {
            if (body[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** The body as text in its declared charset, UTF-8 by default. */
    public static String decode(byte[] body, @Nullable String contentType) {
        Charset cs = charset(contentType);
        return new String(body, cs == null ? StandardCharsets.UTF_8 : cs);
    }

    /** {@code text} cut to {@code max} characters with a note saying so. */
    public static String clip(String text, int max) {
        return text.length() <= max
                ? text
                : text.substring(0, max) + "\n…[cut: " + (text.length() - max)
                        + " more characters]";
    }
}
