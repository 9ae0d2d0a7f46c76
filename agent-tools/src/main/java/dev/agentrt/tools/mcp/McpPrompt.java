package dev.agentrt.tools.mcp;

import java.util.List;
import java.util.Objects;

/**
 * A prompt an MCP server offers, as {@link McpTools#prompts()} lists it: a template of messages the
 * application fetches with {@link McpTools#prompt(String, java.util.Map)} and its arguments.
 *
 * @param name the prompt's name on the server
 * @param title a name for people; "" when the server gave none
 * @param description what the prompt is for; "" when the server gave none
 * @param arguments the arguments it takes, in the server's order
 */
public record McpPrompt(String name, String title, String description, List<Argument> arguments) {
    public McpPrompt {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        arguments = List.copyOf(arguments);
    }

    /**
     * One argument of a prompt; every argument's value is a string.
     *
     * @param description what to give; "" when the server said nothing
     * @param required whether the prompt cannot be got without it
     */
    public record Argument(String name, String description, boolean required) {
        public Argument {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(description, "description");
        }
    }
}
