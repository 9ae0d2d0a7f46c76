package dev.agentrt.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method as a tool the model can call; {@link Tools#from(Object...)} turns each marked
 * method into a {@link dev.agentrt.core.tool.Tool}. The tool's JSON Schema is generated from the
 * method's parameters (see {@link Param}) by the core's one type-to-schema path
 * ({@code TypeSchema}, lenient mode); its result is what the method returns. Named so that it never
 * clashes with the {@code Tool} interface it produces; it replaces {@link Tool @Tool}.
 *
 * <pre>{@code
 * public final class Weather {
 *     @ToolMethod("Current weather for a city")
 *     public Report currentWeather(@Param("City name, e.g. Paris") String city, Optional<Unit> unit) {
 *         return client.fetch(city, unit.orElse(Unit.CELSIUS));
 *     }
 * }
 *
 * Agent agent = Agent.builder().model(model).tools(Tools.from(new Weather(client))).build();
 * }</pre>
 *
 * <h2>Capabilities</h2>
 * A call runs only if the task holds the capabilities it needs. Declare them statically with
 * {@link #requires}, in the form {@link dev.agentrt.core.security.Capability#describe()} prints, or
 * compute them from the call's arguments with a companion method named by {@link #capabilities}:
 *
 * <pre>{@code
 * @ToolMethod(value = "Pays an invoice from an account", capabilities = "payCapabilities")
 * public String pay(String account, long cents) {
 *     return bank.pay(account, cents);
 * }
 *
 * // Same parameters as the tool (without ToolContext); returns a Capability, a Collection of them or an array.
 * public List<Capability> payCapabilities(String account, long cents) {
 *     return List.of(Capability.custom("payments", account));
 * }
 *
 * @ToolMethod(value = "Refunds an order", requires = "payments:refund")   // Capability.custom("payments", "refund")
 * public String refund(String orderId) { ... }
 * }</pre>
 *
 * A tool that only learns what it needs while running takes a {@link dev.agentrt.core.tool.ToolContext}
 * parameter and calls {@code context.require(...)} (then {@code .block()} in a plain method, which
 * runs on a virtual thread).
 *
 * <h2>Threading</h2>
 * A method returning {@code Mono}, {@code Flux}, another {@code Publisher} or a {@code CompletionStage}
 * is asynchronous: it is called on the thread that subscribes (possibly a Reactor thread) and must
 * not block before returning. Any other method is blocking and runs on
 * {@link dev.agentrt.core.AgentSchedulers#blocking()}. Methods are called concurrently by every task
 * that uses the tool, so the object that declares them must be thread-safe.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ToolMethod {
    /** The description written for the model: what the tool does and when to use it. */
    String value() default "";

    /** Same as {@link #value}, for those who prefer to name it; set one or the other. */
    String description() default "";

    /**
     * The tool's name, 1-64 letters, digits, {@code _} or {@code -}; by default the method's name in
     * snake case ({@code currentWeather} becomes {@code current_weather}).
     */
    String name() default "";

    /**
     * Capabilities every call needs, written as {@code Capability.describe()} prints them:
     * {@code file-read:/srv/docs}, {@code file-write:/tmp/out}, {@code net:api.example.com},
     * {@code net:api.example.com:443}, {@code env:API_TOKEN}, {@code memory-read},
     * {@code memory-write:notes}; anything else is a custom capability {@code name:scope} (or
     * {@code name} for every scope), also spelled {@code custom:name:scope}.
     */
    String[] requires() default {};

    /**
     * The name of a public method of the same class that computes the capabilities a call needs
     * from its arguments. It takes the tool method's parameters, in order, without any
     * {@code ToolContext}; it returns a {@code Capability}, a {@code Collection} of them or an array,
     * must be fast and must not block. Its result is added to {@link #requires}.
     */
    String capabilities() default "";
}
