package dev.mmalign.trainer.annotate;

import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.judge.JudgeCallException;
import dev.mmalign.trainer.judge.JudgeClient;
import dev.mmalign.trainer.judge.JudgeClients;
import dev.mmalign.trainer.judge.JudgeReply;
import dev.mmalign.trainer.judge.JudgeRequest;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One short request to a judge stage's judge, built exactly as the stage builds it: from the stage spec and the
 * environment the pod was given (credentials, and for annotate the labelling guide as system instruction). It answers
 * "does this pod reach its judge with these credentials?" before a stage spends anything, and it is how the pod
 * contract is tested end to end.
 */
public final class JudgeCheck {

    /** What the check asks; any answer will do. */
    static final String QUESTION = "This is a connectivity check. Reply with the single word OK.";
    /** System instruction of an evaluate stage's check (benchmarks bring their own prompts). */
    static final String EVALUATE_SYSTEM = "You are a judge of benchmark answers.";

    private JudgeCheck() {}

    /** The judge's name and its answer. */
    public record Outcome(String judge, JudgeReply reply) {}

    /**
     * @param stage annotate (the dataset's annotation judge) or evaluate (the suite's judge)
     * @throws InvalidInputException when the spec has no judge that calls a model, or misses what the judge needs
     */
    public static Outcome run(StageName stage, StageSpec spec, Path specFile, Map<String, String> env,
                              int timeoutMillis) throws JudgeCallException {
        JudgeSpec judge = switch (stage) {
            case annotate -> spec.annotation;
            case evaluate -> spec.judge;
            default -> throw new InvalidInputException(specFile, "stage " + stage + " has no judge");
        };
        if (judge == null) {
            throw new InvalidInputException(specFile, "the stage spec names no judge");
        }
        String system = EVALUATE_SYSTEM;
        if (stage == StageName.annotate) {
            List<HelpSteerAttribute> attributes = spec.annotation.attributes == null
                    || spec.annotation.attributes.isEmpty() ? List.of(HelpSteerAttribute.values())
                    : spec.annotation.attributes;
            system = LabellingGuide.read(spec.annotation, attributes, env, specFile);
        }
        JudgeClient client = JudgeClients.create(judge, specFile, env, timeoutMillis);
        return new Outcome(client.name(), client.call(new JudgeRequest(system, QUESTION, null, null, null)));
    }
}
