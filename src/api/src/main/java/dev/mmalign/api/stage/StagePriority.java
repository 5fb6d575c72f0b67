package dev.mmalign.api.stage;

/**
 * The PriorityClasses of stage pods whose resource names none ({@code resources.priorityClassName} unset), when the
 * operator is told to use them ({@code mmalign.trainer.stage-priority-classes}; the Helm chart ships the classes in
 * {@code files/priority-classes.yaml} and turns it on, local mode installs that file and turns it on too).
 *
 * <p>Why: with more pods than room, the scheduler (and local mode's executor) starts the pending pod of highest
 * priority first, then the oldest. A dataset's stages feed every training, and every training feeds an evaluation,
 * so dataset before training before evaluation keeps the later stages from waiting behind evaluations that nothing
 * depends on. The classes never preempt ({@code preemptionPolicy: Never}): they only order the queue, and a running
 * pod is never evicted for a stage of a higher class.
 *
 * <p>One class is given to no stage by the operator: {@link #LONG_TRAINING}, for a run's
 * {@code resources.priorityClassName} where the user knows a training runs longest.
 */
public enum StagePriority {

    /** sample, annotate and build: the PreferenceDataset every training waits for. */
    DATASET("mmalign-dataset", 300),
    /**
     * Named by a training the user knows runs longest ({@code resources.priorityClassName}): it starts before the other
     * trainings waiting with it, and they and the evaluations run beside it, instead of it starting last and running
     * alone at the end (longest job first). The quickstart's SteerLM run names it: on 2 cores, local mode took 154 s
     * where SteerLM's Job happened to be created first, and 176-177 s where it started after two others (session 9).
     */
    LONG_TRAINING("mmalign-training-long", 250),
    /** train: the AlignmentRuns a suite's evaluations wait for. */
    TRAINING("mmalign-training", 200),
    /** evaluate (each model, and the suite's report): nothing waits for them. */
    EVALUATION("mmalign-evaluation", 100);

    private final String className;
    private final int value;

    StagePriority(String className, int value) {
        this.className = className;
        this.value = value;
    }

    /** The PriorityClass's name ({@code metadata.name}). */
    public String className() {
        return className;
    }

    /** The PriorityClass's {@code value}: the pod's {@code spec.priority}. */
    public int value() {
        return value;
    }

    /** The class the operator gives a stage's pods ({@link #LONG_TRAINING} only where a run names it). */
    public static StagePriority of(StageName stage) {
        return switch (stage) {
            case sample, annotate, build -> DATASET;
            case train -> TRAINING;
            case evaluate -> EVALUATION;
        };
    }
}
