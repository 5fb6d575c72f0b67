package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;

import java.util.List;
import java.util.Optional;

/**
 * Evaluates a Job's {@code podFailurePolicy} against a failed pod like the Job controller: rules in order, the
 * first that matches decides. {@code onExitCodes} matches a terminated container (of the named one, if named)
 * whose exit code is In / NotIn the values (exit code 0 never matches NotIn); {@code onPodConditions} matches a pod
 * condition of that type and status (default True), e.g. DisruptionTarget.
 */
final class PodFailurePolicies {

    /** The decision for one failed pod: the action and, for messages, the index of the rule that matched. */
    record Match(String action, int ruleIndex, Integer exitCode, String containerName) {
    }

    private PodFailurePolicies() {
    }

    static Optional<Match> match(PodFailurePolicy policy, Pod pod) {
        if (policy == null || policy.getRules() == null) {
            return Optional.empty();
        }
        List<PodFailurePolicyRule> rules = policy.getRules();
        for (int i = 0; i < rules.size(); i++) {
            PodFailurePolicyRule rule = rules.get(i);
            if (rule.getOnExitCodes() != null) {
                Optional<ContainerStatus> hit = matchingContainer(rule.getOnExitCodes(), pod);
                if (hit.isPresent()) {
                    return Optional.of(new Match(rule.getAction(), i,
                            hit.get().getState().getTerminated().getExitCode(), hit.get().getName()));
                }
            } else if (rule.getOnPodConditions() != null && matchesConditions(rule.getOnPodConditions(), pod)) {
                return Optional.of(new Match(rule.getAction(), i, null, null));
            }
        }
        return Optional.empty();
    }

    private static Optional<ContainerStatus> matchingContainer(PodFailurePolicyOnExitCodesRequirement req, Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            if (req.getContainerName() != null && !req.getContainerName().equals(cs.getName())) {
                continue;
            }
            if (cs.getState() == null || cs.getState().getTerminated() == null) {
                continue;
            }
            int code = cs.getState().getTerminated().getExitCode();
            boolean in = req.getValues() != null && req.getValues().contains(code);
            boolean matches = "NotIn".equals(req.getOperator()) ? (code != 0 && !in) : in;
            if (matches) {
                return Optional.of(cs);
            }
        }
        return Optional.empty();
    }

    private static boolean matchesConditions(List<PodFailurePolicyOnPodConditionsPattern> patterns, Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodFailurePolicyOnPodConditionsPattern p : patterns) {
            String wanted = p.getStatus() == null ? "True" : p.getStatus();
            for (PodCondition c : pod.getStatus().getConditions()) {
                if (p.getType().equals(c.getType()) && wanted.equals(c.getStatus())) {
                    return true;
                }
            }
        }
        return false;
    }
}
