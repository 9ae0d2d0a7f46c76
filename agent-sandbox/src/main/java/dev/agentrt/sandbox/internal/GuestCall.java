package dev.agentrt.sandbox.internal;

import run.endive.runtime.HostFunction;
import run.endive.runtime.Instance;

import java.util.List;

/** What a run does once the module is instantiated, and the extra imports it needs. */
public interface GuestCall {
    /** Host functions added to WASI's. */
    default List<HostFunction> imports() {
        return List.of();
    }

    /** Calls into the instance on the run's thread; returns the values to report. */
    long[] call(Instance instance);
}
