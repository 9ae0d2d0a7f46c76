package dev.agentrt.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.run.RunStore;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.security.Principal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The endpoint in a Spring MVC application on Tomcat, under a base path of its own. */
class AgentRunsWebMvcHttpTest extends AgentRunsHttpContract {
    @Override
    ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(TestAgentConfiguration.class, ServletApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties(properties)
                .run();
    }

    @Override
    String path() {
        return "/api/agent";
    }

    /**
     * Handing an asynchronous answer back to Tomcat takes its locks (the worker queue's among them), so it must not
     * happen on a Reactor non-blocking thread, where a run store may complete: there a contended lock parks an event
     * loop, and under BlockHound the park throws inside Tomcat's executor (one CI run's server then stopped answering
     * altogether). Here the store answers the run's read on Reactor's parallel scheduler, after the request's thread
     * has left the request waiting.
     */
    @Test
    void anAsynchronousAnswerIsHandedToTheServerFromAThreadThatMayBlock() {
        String runId = runId(post("{\"prompt\": \"invoice 4\"}"));
        agent.events(runId, 1, java.time.Duration.ofMillis(20)).blockLast(WAIT);
        Dispatches dispatches = context.getBean(Dispatches.class);
        LateFindRunStore late = (LateFindRunStore) store;
        dispatches.threads.clear();
        late.late = true;
        try {
            assertThat(getJson(path() + "/runs/" + runId).getString("status")).contains("COMPLETED");
        } finally {
            late.late = false;
        }

        // Every hand-back, this one's and any other test's stream still ending: none on a non-blocking thread.
        assertThat(dispatches.threads).isNotEmpty()
                .allSatisfy(t -> assertThat(t.nonBlocking()).as("dispatched from %s", t.name()).isFalse());
    }

    /**
     * The threads that handed an asynchronous answer back to the server (called {@code AsyncContext.dispatch}), and
     * each request's thread leaving a request waiting for its answer.
     */
    static final class Dispatches {
        record Dispatch(String name, boolean nonBlocking) {}

        final List<Dispatch> threads = new CopyOnWriteArrayList<>();
        private final Sinks.Many<Long> left = Sinks.many().replay().latest();
        private long count;

        void record() {
            threads.add(new Dispatch(Thread.currentThread().getName(), Schedulers.isInNonBlockingThread()));
        }

        synchronized void requestThreadLeft() {
            left.tryEmitNext(++count);
        }

        /** Completes when a request's thread next leaves its request waiting (after this call). */
        synchronized Mono<Long> nextLeft() {
            long seen = count;
            return left.asFlux().filter(n -> n > seen).next();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({JacksonAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
            TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
            WebMvcAutoConfiguration.class, AgentrtWebFluxAutoConfiguration.class,
            AgentrtWebMvcAutoConfiguration.class})
    static class ServletApplication {
        @Bean
        Dispatches dispatches() {
            return new Dispatches();
        }

        /** The run store, answering reads late on a Reactor thread when a test asks it to. */
        @Bean
        static BeanPostProcessor lateFinds(ObjectProvider<Dispatches> dispatches) {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof RunStore s && !(bean instanceof LateFindRunStore)
                            ? new LateFindRunStore(s, () -> dispatches.getObject().nextLeft())
                            : bean;
                }
            };
        }

        /**
         * Records the thread of each {@code AsyncContext.dispatch}, by wrapping the request's async context, and when
         * the request's thread leaves a request waiting.
         */
        @Bean
        @Order(0)
        Filter recordDispatches(Dispatches dispatches) {
            return (request, response, chain) -> {
                chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) request) {
                    @Override
                    public AsyncContext startAsync(ServletRequest req, ServletResponse res) {
                        return new RecordingAsyncContext(super.startAsync(req, res), dispatches);
                    }

                    @Override
                    public AsyncContext startAsync() {
                        return new RecordingAsyncContext(super.startAsync(), dispatches);
                    }
                }, response);
                if (request.isAsyncStarted()) {
                    dispatches.requestThreadLeft();
                }
            };
        }

        /** Authenticates a request as the user its test header names. */
        @Bean
        Filter testUsers() {
            return (request, response, chain) -> {
                var http = (HttpServletRequest) request;
                String user = http.getHeader(TestUsers.HEADER);
                if (user == null) {
                    chain.doFilter(request, response);
                    return;
                }
                Principal principal = () -> user;
                chain.doFilter(new HttpServletRequestWrapper(http) {
                    @Override
                    public Principal getUserPrincipal() {
                        return principal;
                    }
                }, response);
            };
        }
    }

    /** An async context that records who dispatches it. */
    private record RecordingAsyncContext(AsyncContext delegate, Dispatches dispatches) implements AsyncContext {
        @Override
        public ServletRequest getRequest() {
            return delegate.getRequest();
        }

        @Override
        public ServletResponse getResponse() {
            return delegate.getResponse();
        }

        @Override
        public boolean hasOriginalRequestAndResponse() {
            return delegate.hasOriginalRequestAndResponse();
        }

        @Override
        public void dispatch() {
            dispatches.record();
            delegate.dispatch();
        }

        @Override
        public void dispatch(String path) {
            dispatches.record();
            delegate.dispatch(path);
        }

        @Override
        public void dispatch(ServletContext context, String path) {
            dispatches.record();
            delegate.dispatch(context, path);
        }

        @Override
        public void complete() {
            delegate.complete();
        }

        @Override
        public void start(Runnable run) {
            delegate.start(run);
        }

        @Override
        public void addListener(AsyncListener listener) {
            delegate.addListener(listener);
        }

        @Override
        public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
            delegate.addListener(listener, request, response);
        }

        @Override
        public <T extends AsyncListener> T createListener(Class<T> clazz) throws jakarta.servlet.ServletException {
            return delegate.createListener(clazz);
        }

        @Override
        public void setTimeout(long timeout) {
            delegate.setTimeout(timeout);
        }

        @Override
        public long getTimeout() {
            return delegate.getTimeout();
        }
    }
}
