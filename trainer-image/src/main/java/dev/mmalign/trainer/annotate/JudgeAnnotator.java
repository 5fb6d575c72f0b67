package dev.mmalign.trainer.annotate;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.QuarantineRecord;
import dev.mmalign.trainer.judge.ImageFiles;
import dev.mmalign.trainer.judge.JudgeRequest;
import dev.mmalign.trainer.judge.JudgeUnavailableException;
import dev.mmalign.trainer.judge.RatingFormat;
import dev.mmalign.trainer.judge.ResilientJudge;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Annotation by a judge model (vertex-gemini, openai-compatible): one request per prompt with the image, the question
 * and all K completions; the guide as system instruction; the answer validated by {@link RatingParser}.
 */
public final class JudgeAnnotator implements Annotator {

    private final ResilientJudge judge;
    private final List<HelpSteerAttribute> attributes;
    private final boolean chainOfThought;
    private final String guide;
    private final ClaimPaths claim;
    private final Path imageRoot;
    private final Path promptsFile;

    public JudgeAnnotator(ResilientJudge judge, List<HelpSteerAttribute> attributes, boolean chainOfThought,
                          String guide, ClaimPaths claim, Path imageRoot, Path promptsFile) {
        this.judge = judge;
        this.attributes = attributes;
        this.chainOfThought = chainOfThought;
        this.guide = guide;
        this.claim = claim;
        this.imageRoot = imageRoot;
        this.promptsFile = promptsFile;
    }

    @Override
    public GroupOutcome annotate(PromptGroup group) throws InterruptedException {
        RatingFormat format = new RatingFormat(attributes, group.completions().size(), chainOfThought);
        Path image = ImageFiles.resolve(claim, imageRoot, group.prompt(), promptsFile, group.promptLine());
        JudgeRequest request = new JudgeRequest(guide, userText(group, format),
                image == null ? null : ImageFiles.read(image), image == null ? null : ImageFiles.mimeType(image),
                format);
        ResilientJudge.Outcome<Verdict> outcome;
        try {
            outcome = judge.ask(request, text -> RatingParser.parse(text, format));
        } catch (JudgeUnavailableException e) {
            // Set aside with the last error; the stage decides (maxFailureRatio) whether that many is an outage.
            return new GroupOutcome.SetAside(new QuarantineRecord(group.prompt().id(), e.getMessage(), e.attempts(),
                    null, judge.name(), e.usage(), true));
        }
        if (outcome instanceof ResilientJudge.Answered<Verdict> answered) {
            List<AnnotationRecord> records = new ArrayList<>();
            for (int i = 0; i < group.completions().size(); i++) {
                CompletionRecord c = group.completions().get(i);
                records.add(new AnnotationRecord(c.promptId(), c.completionId(), answered.value().ratings().get(i),
                        answered.value().reasoning(), judge.name(), answered.usage()));
            }
            return new GroupOutcome.Rated(records);
        }
        if (outcome instanceof ResilientJudge.Quarantined<Verdict> q) {
            return new GroupOutcome.SetAside(new QuarantineRecord(group.prompt().id(), q.reason(), q.attempts(),
                    q.lastAnswer(), judge.name(), q.usage()));
        }
        return new GroupOutcome.BudgetStopped(outcome.usage());
    }

    static String userText(PromptGroup group, RatingFormat format) {
        StringBuilder text = new StringBuilder();
        text.append("Question:\n").append(group.prompt().question()).append("\n\n");
        for (int i = 0; i < group.completions().size(); i++) {
            text.append("Response ").append(i + 1).append(":\n").append(group.completions().get(i).text())
                    .append("\n\n");
        }
        text.append(format.instruction());
        return text.toString();
    }
}
