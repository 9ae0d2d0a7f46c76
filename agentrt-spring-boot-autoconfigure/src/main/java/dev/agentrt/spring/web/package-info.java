/**
 * A ready, opt-in HTTP endpoint for the application's {@code Agent}: start a durable run with a POST and follow
 * its events as server-sent events, reattaching after a disconnect without losing or repeating one. In WebFlux
 * ({@link dev.agentrt.spring.web.AgentRunsWebFluxController}) and in Spring MVC
 * ({@link dev.agentrt.spring.web.AgentRunsWebMvcController}); turned on with {@code agentrt.web.enabled=true}
 * ({@link dev.agentrt.spring.web.AgentrtWebProperties}).
 */
@NullMarked
package dev.agentrt.spring.web;

import org.jspecify.annotations.NullMarked;
