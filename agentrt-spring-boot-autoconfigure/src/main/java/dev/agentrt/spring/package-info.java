/**
 * Spring Boot 4 auto-configuration for agentrt: a {@code ChatModel}, memory, run store and a prototype
 * {@code Agent.Builder} from {@code agentrt.*} properties, each a bean the application can replace.
 */
@NullMarked
package dev.agentrt.spring;

import org.jspecify.annotations.NullMarked;
