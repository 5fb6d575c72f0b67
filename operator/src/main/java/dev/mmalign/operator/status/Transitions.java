package dev.mmalign.operator.status;

import dev.mmalign.api.common.StageState;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The Kubernetes Events a status change deserves (pure): one per stage transition and one per phase change. */
public final class Transitions {

    /** An Event to record: type Normal or Warning. */
    public record Event(String type, String reason, String message) {}

    private Transitions() {}

    public static List<Event> between(String oldPhase, List<StageState> oldStages, String newPhase,
                                      List<StageState> newStages, String reason, String message) {
        List<Event> events = new ArrayList<>();
        for (StageState now : newStages) {
            StageState before = oldStages.stream().filter(s -> s.name.equals(now.name)).findFirst().orElse(null);
            StageState.Phase was = before != null ? before.phase : null;
            boolean restarted = before != null && !Objects.equals(before.generation, now.generation);
            if (now.phase != was || restarted) {
                String type = now.phase == StageState.Phase.Failed ? "Warning" : "Normal";
                String text = "stage " + now.name + " " + now.phase.name().toLowerCase()
                        + (now.jobName != null ? " (job " + now.jobName + ")" : "")
                        + (now.message != null ? ": " + now.message : "");
                events.add(new Event(type, "Stage" + now.phase.name(), text));
            }
        }
        if (!Objects.equals(oldPhase, newPhase)) {
            String type = "Failed".equals(newPhase) ? "Warning" : "Normal";
            events.add(new Event(type, reason, "phase " + oldPhase + " -> " + newPhase
                    + (message != null && !message.isEmpty() ? ": " + message : "")));
        }
        return events;
    }
}
