package dev.agentrt.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes a parameter of a {@link ToolMethod} method to the model. Optional: without it a parameter is
 * named by its Java name (the build compiles with {@code -parameters}) and is required unless its type
 * is an {@code Optional} or annotated {@code @Nullable}.
 *
 * <pre>{@code
 * @ToolMethod("Searches the catalogue")
 * public List<Product> search(@Param("Words to look for") String query,
 *         @Param(value = "At most this many results", required = false) Integer limit) { ... }
 * }</pre>
 *
 * <p>A parameter that is not required may be left out or sent as {@code null}; the method then
 * receives {@code null}, or an empty {@code Optional}. A primitive parameter is always required.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Param {
    /** The description written for the model. */
    String value() default "";

    /** Same as {@link #value}, for those who prefer to name it; set one or the other. */
    String description() default "";

    /** The property name in the arguments object; by default the parameter's Java name. */
    String name() default "";

    /** Whether the model must pass it; {@code Optional} and {@code @Nullable} parameters never are. */
    boolean required() default true;
}
