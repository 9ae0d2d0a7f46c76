package dev.agentrt.inference.internal;

import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatModelProvider;
import dev.agentrt.inference.LocalChatModel;
import org.jspecify.annotations.Nullable;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * {@code local:<directory>} for {@code ChatModels.byName}: a {@link LocalChatModel} of the exported model in the
 * directory, loaded at once (blocking). The environment is not read. Not for applications.
 */
public final class LocalChatModelProvider implements ChatModelProvider {
    /** For {@link java.util.ServiceLoader}. */
    public LocalChatModelProvider() {}

    @Override
    public String prefix() {
        return "local";
    }

    @Override
    public ChatModel create(String model, Function<String, @Nullable String> env) {
        Path directory;
        try {
            directory = Path.of(model);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("local:" + model + ": not a path: " + e.getMessage(), e);
        }
        return LocalChatModel.builder().modelPath(directory).build();
    }
}
