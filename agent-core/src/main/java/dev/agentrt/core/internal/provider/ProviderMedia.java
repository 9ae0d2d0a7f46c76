package dev.agentrt.core.internal.provider;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.Media;

/**
 * What a codec does with media its API cannot take: fail the request with a {@link ModelException} naming the
 * model and the kind, or, when the builder asked for it, put a line of text in its place.
 *
 * @param provider the provider's name as users know it ({@code Anthropic}, {@code Ollama}, ...)
 */
public record ProviderMedia(String provider, String model, boolean describe) {

    /**
     * The text to send instead of {@code media}, when describing is on.
     *
     * @param why what the API cannot take, for example {@code "audio"} or {@code "images in tool results"}
     * @throws ModelException when describing is off
     */
    public String unsupported(Media media, String why) {
        if (!describe) {
            throw new ModelException(provider + " model \"" + model + "\" cannot take " + why + ": the request holds "
                    + media.mimeType() + " " + media.kind() + ". Remove it, use a "
                    + "model that takes it, or set describeUnsupportedMedia(true) on the model's builder to send a "
                    + "line of text in its place.");
        }
        return description(media, provider + " model " + model + " cannot take " + why);
    }

    /** The line of text that stands for {@code media} when it is not sent: what it was and {@code why}. */
    public static String description(Media media, String why) {
        String what = media instanceof Media.Image i && i.url() != null
                ? media.mimeType() + " image at " + i.url()
                : media.mimeType() + " " + media.kind() + " of " + media.size() + " bytes";
        return "[" + what + " not sent: " + why + "]";
    }
}
