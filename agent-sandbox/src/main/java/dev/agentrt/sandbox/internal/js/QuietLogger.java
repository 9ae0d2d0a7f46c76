package dev.agentrt.sandbox.internal.js;

import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/** Endive's log lines go to SLF4J at debug level: a guest's WASI calls are not the host's news. */
final class QuietLogger implements run.endive.log.Logger {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("dev.agentrt.sandbox.js");

    @Override
    public void log(Level level, @Nullable String message, @Nullable Throwable throwable) {
        LOG.debug("{}", message, throwable);
    }

    @Override
    public boolean isLoggable(Level level) {
        return LOG.isDebugEnabled();
    }
}
