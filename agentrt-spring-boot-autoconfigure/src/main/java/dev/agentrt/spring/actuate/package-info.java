/**
 * Actuator support for agentrt: health indicators for the model (reachability without a paid call), the memory
 * store and the run store, and the {@code agentrtapprovals} endpoint that lists the runs awaiting a person's
 * approval and approves or denies their tool calls. The endpoint exists only with Spring Security on the class path
 * and answers only an authenticated principal with the configured role. Properties under
 * {@code agentrt.actuator}; each indicator turns off with {@code management.health.<name>.enabled=false}.
 */
@NullMarked
package dev.agentrt.spring.actuate;

import org.jspecify.annotations.NullMarked;
