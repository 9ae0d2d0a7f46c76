package dev.agentrt.tools.mcp;

import dev.agentrt.core.model.Media;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.tools.Param;
import dev.agentrt.tools.ToolMethod;
import dev.agentrt.tools.Tools;
import org.jspecify.annotations.Nullable;

import java.util.Base64;
import java.util.List;

/**
 * An {@link McpServer} whose tools have structured results, over this process's stdin and stdout (run by {@link
 * McpStructuredContentTest} for the TypeScript SDK's client), or in the test's JVM: {@code weather} returns a
 * record (so it has an output schema), {@code forecast} text, {@code nothing} a record type but {@code null}, and
 * {@code chart} text with a PNG image.
 */
public final class StructuredServerMain {
    /** The image {@code chart} returns: a PNG signature is enough for every check on the way. */
    static final byte[] PNG = Base64.getDecoder().decode("iVBORw0KGgo=");

    private StructuredServerMain() {}

    /** What {@code weather} returns. */
    public record Weather(String city, double celsius, @Nullable String sky) {}

    /** The tools, as an application writes them. */
    public static final class WeatherTools {
        @ToolMethod("The weather in a city")
        public Weather weather(@Param("The city") String city) {
            return new Weather(city, 11.5, city.equals("Oslo") ? null : "cloudy");
        }

        @ToolMethod("Tomorrow's weather, in words")
        public String forecast(@Param("The city") String city) {
            return "Rain in " + city;
        }

        @ToolMethod("Promises a record, returns none")
        public @Nullable Weather nothing() {
            return null;
        }

        @ToolMethod("A chart of the week")
        public ToolResult chart() {
            return ToolResult.withMedia("the week's chart", List.of(Media.image("image/png", PNG)));
        }
    }

    static List<Tool> tools() {
        return Tools.from(new WeatherTools());
    }

    public static void main(String[] args) {
        McpServer.builder(tools()).name("structured-test").grants(Grants.none()).build().serveStdio().block();
    }
}
