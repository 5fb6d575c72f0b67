package dev.mmalign.operator.jobs;

import dev.mmalign.api.common.StageState;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.TerminationMessage;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Times;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Reads a stage Job and its pods into a {@link JobObservation} (pure). */
public final class JobObserver {

    private JobObserver() {}

    public static JobObservation observe(Job job, List<Pod> pods, Instant now) {
        var spec = job.getSpec();
        var st = job.getStatus();
        int shards = spec.getCompletions() != null ? spec.getCompletions() : 1;
        int succeeded = st != null && st.getSucceeded() != null ? st.getSucceeded() : 0;
        int failed = st != null && st.getFailed() != null ? st.getFailed() : 0;
        int active = st != null && st.getActive() != null ? st.getActive() : 0;

        List<Terminated> terminated = terminatedStageContainers(pods);
        Optional<Terminated> lastFailed = terminated.stream().filter(t -> exitCode(t) != 0)
                .max(Comparator.comparing(Terminated::finishedAt));
        String lastFailure = lastFailed.map(JobObserver::describe).orElse(null);
        StageResult lastResult = terminated.stream().filter(t -> t.result() != null)
                .max(Comparator.comparing(Terminated::finishedAt)).map(Terminated::result).orElse(null);

        Optional<JobCondition> failedCondition = condition(job, "Failed");
        StageState.Phase phase;
        String failureReason = null;
        if (condition(job, "Complete").isPresent()) {
            phase = StageState.Phase.Succeeded;
        } else if (failedCondition.isPresent() && failedForAPod(failedCondition.get()) && lastFailed.isEmpty()
                && anyStageContainerNotTerminated(pods)) {
            // The Job controller failed the Job for a pod that this view (the operator's pod cache) still shows
            // running: the pod's own update, with the stage's termination message, is on its way and reconciles the
            // owner again. Reporting the failure now would make the Job's generic condition the final word.
            phase = StageState.Phase.Running;
        } else if (failedCondition.isPresent()) {
            phase = StageState.Phase.Failed;
            failureReason = failureReason(failedCondition.get(), lastFailed.map(JobObserver::exitCode).orElse(null));
            if (lastFailure == null) {
                lastFailure = failedCondition.get().getMessage();
            }
        } else if (Boolean.TRUE.equals(spec.getSuspend())) {
            phase = StageState.Phase.Suspended;
        } else if (active > 0 || succeeded > 0 || failed > 0) {
            phase = StageState.Phase.Running;
        } else {
            phase = StageState.Phase.Pending;
        }

        return new JobObservation(phase, shards, succeeded, failed,
                st != null ? st.getStartTime() : null,
                st != null ? st.getCompletionTime() : null,
                failureReason, lastFailure, successfulResults(terminated), podSeconds(pods, now), lastResult);
    }

    /**
     * Whether the Job failed because a pod failed (BackoffLimitExceeded, PodFailurePolicy, failed indexes): that pod
     * had terminated in the API before the Job controller counted it. Not so for DeadlineExceeded, where the Job fails
     * first and its running pods are stopped after.
     */
    private static boolean failedForAPod(JobCondition failed) {
        return !"DeadlineExceeded".equals(failed.getReason());
    }

    private static boolean anyStageContainerNotTerminated(List<Pod> pods) {
        for (Pod pod : pods) {
            List<ContainerStatus> statuses = containerStatuses(pod);
            if (statuses.isEmpty() || statuses.stream().anyMatch(cs -> cs.getState() == null
                    || cs.getState().getTerminated() == null)) {
                return true;
            }
        }
        return false;
    }

    private static String failureReason(JobCondition failed, Integer exitCode) {
        if (exitCode != null && exitCode == ExitCodes.BUDGET_EXHAUSTED) {
            return "BudgetExhausted";
        }
        if ("DeadlineExceeded".equals(failed.getReason())) {
            return "DeadlineExceeded";
        }
        return "JobFailed";
    }

    /** "exit code 2: prompts.jsonl line 17: missing field "image"": the code and the stage's own explanation. */
    private static String describe(Terminated t) {
        String why = t.result() != null && t.result().message != null ? t.result().message
                : t.state().getMessage() != null && !t.state().getMessage().isBlank() ? t.state().getMessage().strip()
                : t.state().getReason();
        return "exit code " + exitCode(t) + (why != null ? ": " + why : "");
    }

    private static List<StageResult> successfulResults(List<Terminated> terminated) {
        // One result per completion index: the latest successful pod of each.
        Map<Integer, Terminated> byIndex = new TreeMap<>();
        for (Terminated t : terminated) {
            if (exitCode(t) == 0 && t.result() != null) {
                byIndex.merge(t.index(), t, (a, b) -> a.finishedAt().isAfter(b.finishedAt()) ? a : b);
            }
        }
        List<StageResult> out = new ArrayList<>();
        byIndex.values().forEach(t -> out.add(t.result()));
        return out;
    }

    private static long podSeconds(List<Pod> pods, Instant now) {
        long seconds = 0;
        for (Pod pod : pods) {
            for (ContainerStatus cs : containerStatuses(pod)) {
                var state = cs.getState();
                if (state == null) {
                    continue;
                }
                if (state.getTerminated() != null) {
                    Instant a = Times.parse(state.getTerminated().getStartedAt());
                    Instant b = Times.parse(state.getTerminated().getFinishedAt());
                    if (a != null && b != null && b.isAfter(a)) {
                        seconds += Duration.between(a, b).toSeconds();
                    }
                } else if (state.getRunning() != null) {
                    Instant a = Times.parse(state.getRunning().getStartedAt());
                    if (a != null && now.isAfter(a)) {
                        seconds += Duration.between(a, now).toSeconds();
                    }
                }
            }
        }
        return seconds;
    }

    private record Terminated(int index, ContainerStateTerminated state, StageResult result, Instant finishedAt) {}

    private static int exitCode(Terminated t) {
        return t.state().getExitCode() != null ? t.state().getExitCode() : -1;
    }

    private static List<Terminated> terminatedStageContainers(List<Pod> pods) {
        List<Terminated> out = new ArrayList<>();
        for (Pod pod : pods) {
            int index = completionIndex(pod);
            for (ContainerStatus cs : containerStatuses(pod)) {
                if (cs.getState() == null || cs.getState().getTerminated() == null) {
                    continue;
                }
                ContainerStateTerminated term = cs.getState().getTerminated();
                Instant finished = Optional.ofNullable(Times.parse(term.getFinishedAt())).orElse(Instant.EPOCH);
                out.add(new Terminated(index, term, decode(term.getMessage()), finished));
            }
        }
        return out;
    }

    private static List<ContainerStatus> containerStatuses(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return List.of();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(cs -> PodContract.CONTAINER.equals(cs.getName())).toList();
    }

    private static int completionIndex(Pod pod) {
        var ann = pod.getMetadata().getAnnotations();
        String v = ann != null ? ann.get(Labels.COMPLETION_INDEX) : null;
        if (v == null && pod.getMetadata().getLabels() != null) {
            v = pod.getMetadata().getLabels().get(Labels.COMPLETION_INDEX);
        }
        try {
            return v != null ? Integer.parseInt(v) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The stage's compact result from the termination message; null when the pod wrote none or plain text. */
    static StageResult decode(String message) {
        if (message == null || !message.strip().startsWith("{")) {
            return null;
        }
        try {
            return TerminationMessage.decode(message.strip());
        } catch (Exception e) {
            return null;
        }
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
    }
}
