package dev.mmalign.api.common;

/** The standard condition types every mmalign resource reports in {@code status.conditions}. */
public final class ConditionTypes {
    /** The resource's outputs exist and are usable (dataset built, run finished, results aggregated). */
    public static final String READY = "Ready";
    /** A stage is running or about to run. */
    public static final String PROGRESSING = "Progressing";
    /** A stage failed permanently; the message says which and why. */
    public static final String FAILED = "Failed";
    /** spec.suspend is set and the running stage is suspended. */
    public static final String SUSPENDED = "Suspended";
    /**
     * Present (True) while a stage that started before the last spec change is still running: its Job keeps the spec
     * it started with; the message names the changed fields. Removed once no such stage runs.
     */
    public static final String SPEC_CHANGE_PENDING = "SpecChangePending";

    /**
     * An AlignmentRun's GPU memory check before its train pod starts: True when the planned peak per device fits,
     * False when it does not (reason InsufficientGpuMemory) or when the check was skipped or could not run (reason
     * MemoryCheckSkipped or the ConfigMap's problem); the message says which and why.
     */
    public static final String MEMORY_CHECKED = "MemoryChecked";

    private ConditionTypes() {}
}
