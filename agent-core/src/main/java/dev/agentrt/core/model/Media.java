package dev.agentrt.core.model;

import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An image or a sound given to a model with a user message ({@link Message#user(String, java.util.List)}) or a
 * tool result ({@link Message.ToolResult#media()}). A closed family: {@link Image} (bytes, or an {@code https} URL
 * the provider fetches) and {@link Audio} (bytes).
 *
 * <pre>{@code
 * Message question = Message.user("What is in this picture?",
 *         List.of(Media.image("image/png", Files.readAllBytes(png))));
 * }</pre>
 *
 * <p>Only the MIME types in {@link #IMAGE_TYPES} and {@link #AUDIO_TYPES} are accepted, at most {@link #MAX_BYTES}
 * bytes each; a URL must be absolute {@code https} with a host and no user info ({@code http:}, {@code file:} and
 * {@code data:} URLs are refused: give the bytes instead). The bytes are held base64-encoded, the form every
 * provider sends, so that media compare by value. A model that cannot take a kind of media fails the request
 * with a {@link dev.agentrt.core.ModelException} naming the model and the kind; it never drops it silently.
 * Immutable and thread-safe.
 */
public sealed interface Media permits Media.Image, Media.Audio {

    /** The largest media item accepted, in decoded bytes (20 MiB, the largest inline image OpenAI takes). */
    int MAX_BYTES = 20 * 1024 * 1024;

    /** The image MIME types every hosted provider that takes images accepts. */
    Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");

    /** The audio MIME types accepted ({@code audio/mp3} and {@code audio/x-wav} are aliases some servers send). */
    Set<String> AUDIO_TYPES = Set.of("audio/wav", "audio/x-wav", "audio/mpeg", "audio/mp3", "audio/ogg",
            "audio/flac", "audio/aac", "audio/webm");

    /** An image given as bytes; {@code mimeType} one of {@link #IMAGE_TYPES}. */
    static Image image(String mimeType, byte[] data) {
        return new Image(mimeType, Base64.getEncoder().encodeToString(data), null);
    }

    /** An image the provider fetches from {@code url} (absolute {@code https}); {@code mimeType} what it holds. */
    static Image image(String mimeType, URI url) {
        return new Image(mimeType, null, url);
    }

    /** A sound given as bytes; {@code mimeType} one of {@link #AUDIO_TYPES}. */
    static Audio audio(String mimeType, byte[] data) {
        return new Audio(mimeType, Base64.getEncoder().encodeToString(data));
    }

    /** The MIME type, lower case. */
    String mimeType();

    /** {@code "image"} or {@code "audio"}: the word used in messages to the user and the model. */
    String kind();

    /** The size in bytes of what is held inline; 0 for an image given by URL. */
    long size();

    /**
     * An image: exactly one of {@code base64} (the bytes, standard base64 with padding) and {@code url}.
     */
    record Image(String mimeType, @Nullable String base64, @Nullable URI url) implements Media {
        public Image {
            mimeType = checkType(mimeType, IMAGE_TYPES, "image");
            if ((base64 == null) == (url == null)) {
                throw new IllegalArgumentException("An image needs exactly one of its bytes and a URL");
            }
            if (base64 != null) {
                checkData(base64, "image");
            }
            if (url != null) {
                checkUrl(url);
            }
        }

        /** The bytes (a fresh copy), or {@code null} for an image given by URL. */
        public byte @Nullable [] bytes() {
            return base64 == null ? null : Base64.getDecoder().decode(base64);
        }

        /** The image as a {@code data:} URL, or its {@code https} URL. */
        public String dataUrlOrUrl() {
            return url != null ? url.toString() : "data:" + mimeType + ";base64," + base64;
        }

        @Override
        public String kind() {
            return "image";
        }

        @Override
        public long size() {
            return base64 == null ? 0 : decodedLength(base64);
        }

        @Override
        public String toString() {
            return "Image[" + mimeType + ", " + (url != null ? url.toString() : size() + " bytes") + "]";
        }
    }

    /** A sound: its bytes, standard base64 with padding. */
    record Audio(String mimeType, String base64) implements Media {
        public Audio {
            mimeType = checkType(mimeType, AUDIO_TYPES, "audio");
            checkData(Objects.requireNonNull(base64, "base64"), "audio");
        }

        /** The bytes (a fresh copy). */
        public byte[] bytes() {
            return Base64.getDecoder().decode(base64);
        }

        @Override
        public String kind() {
            return "audio";
        }

        @Override
        public long size() {
            return decodedLength(base64);
        }

        @Override
        public String toString() {
            return "Audio[" + mimeType + ", " + size() + " bytes]";
        }
    }

    private static String checkType(String mimeType, Set<String> allowed, String kind) {
        Objects.requireNonNull(mimeType, "mimeType");
        String type = mimeType.strip().toLowerCase(Locale.ROOT);
        if (!allowed.contains(type)) {
            throw new IllegalArgumentException("Unsupported " + kind + " MIME type \"" + mimeType + "\"; accepted: "
                    + allowed.stream().sorted().toList());
        }
        return type;
    }

    private static void checkData(String base64, String kind) {
        long size = decodedLength(base64);
        if (size > MAX_BYTES) {
            throw new IllegalArgumentException("The " + kind + " is " + size + " bytes, more than the "
                    + MAX_BYTES + " bytes a media item may hold");
        }
        if (size == 0) {
            throw new IllegalArgumentException("The " + kind + " is empty");
        }
        try {
            Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The " + kind + " data is not standard base64: " + e.getMessage(), e);
        }
    }

    private static long decodedLength(String base64) {
        int n = base64.length();
        int pad = n > 0 && base64.charAt(n - 1) == '=' ? (n > 1 && base64.charAt(n - 2) == '=' ? 2 : 1) : 0;
        return (long) n / 4 * 3 - pad + (n % 4 == 0 ? 0 : (n % 4) * 3 / 4);
    }

    private static void checkUrl(URI url) {
        if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException("An image URL must be an absolute https URL with a host, not \""
                    + url.getScheme() + ":\" (" + url + "); give the bytes instead");
        }
        if (url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("An image URL must not carry user info: " + url.getHost());
        }
    }
}
