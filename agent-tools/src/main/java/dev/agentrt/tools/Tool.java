package dev.agentrt.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The former name of {@link ToolMethod @ToolMethod}, which shared its simple name with the
 * {@link dev.agentrt.core.tool.Tool} interface, so that code using both had to spell one out in full.
 * {@link Tools#from(Object...)} binds a method marked {@code @Tool} exactly as one marked
 * {@code @ToolMethod}; the elements mean the same. Replace {@code @Tool} with {@code @ToolMethod}.
 *
 * @deprecated since 0.2, for removal in the next version: use {@link ToolMethod @ToolMethod}
 */
@Deprecated(since = "0.2", forRemoval = true)
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Tool {
    /** @see ToolMethod#value() */
    String value() default "";

    /** @see ToolMethod#description() */
    String description() default "";

    /** @see ToolMethod#name() */
    String name() default "";

    /** @see ToolMethod#requires() */
    String[] requires() default {};

    /** @see ToolMethod#capabilities() */
    String capabilities() default "";
}
