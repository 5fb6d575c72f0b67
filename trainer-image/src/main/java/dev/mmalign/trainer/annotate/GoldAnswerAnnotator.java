package dev.mmalign.trainer.annotate;

import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.QuarantineRecord;
import dev.mmalign.trainer.data.Usage;
import dev.mmalign.trainer.judge.ImageFiles;
import dev.mmalign.trainer.judge.JudgeRequest;
import dev.mmalign.trainer.judge.JudgeUnavailableException;
import dev.mmalign.trainer.judge.MalformedAnswerException;
import dev.mmalign.trainer.judge.ResilientJudge;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code annotation.goldAnswers}: after the judge has rated a prompt's completions, it is asked for its own answer to
 * the prompt (the question and the image, no system message, temperature 0), the paper's "Standard SFT" data. Both
 * requests go through the same {@link ResilientJudge} (budget, rate limit, retries) and are one unit of work: the
 * prompt's records carry the answer and the usage of both, so resume and cost totals stay as for ratings alone. When
 * the answer cannot be had the prompt is quarantined as a malformed rating would be (a judge outage is asked again
 * on a rerun, an unusable answer is not) or budget-stopped, with what was paid.
 */
public final class GoldAnswerAnnotator implements Annotator {

    private final Annotator ratings;
    private final ResilientJudge judge;
    private final ClaimPaths claim;
    private final Path imageRoot;
    private final Path promptsFile;

    public GoldAnswerAnnotator(Annotator ratings, ResilientJudge judge, ClaimPaths claim, Path imageRoot,
                               Path promptsFile) {
        this.ratings = ratings;
        this.judge = judge;
        this.claim = claim;
        this.imageRoot = imageRoot;
        this.promptsFile = promptsFile;
    }

    @Override
    public GroupOutcome annotate(PromptGroup group) throws InterruptedException {
        GroupOutcome rated = ratings.annotate(group);
        if (!(rated instanceof GroupOutcome.Rated r)) {
            return rated;
        }
        Usage paid = r.records().get(0).usage() == null ? Usage.NONE : r.records().get(0).usage();
        Path image = ImageFiles.resolve(claim, imageRoot, group.prompt(), promptsFile, group.promptLine());
        JudgeRequest request = new JudgeRequest(null, group.prompt().question(),
                image == null ? null : ImageFiles.read(image), image == null ? null : ImageFiles.mimeType(image),
                null);
        ResilientJudge.Outcome<String> outcome;
        try {
            outcome = judge.ask(request, GoldAnswerAnnotator::answer);
        } catch (JudgeUnavailableException e) {
            return new GroupOutcome.SetAside(new QuarantineRecord(group.prompt().id(), "gold answer: " + e.getMessage(),
                    e.attempts(), null, judge.name(), paid.plus(e.usage()), true));
        }
        Usage total = paid.plus(outcome.usage());
        if (outcome instanceof ResilientJudge.Answered<String> a) {
            List<AnnotationRecord> out = new ArrayList<>();
            for (AnnotationRecord record : r.records()) {
                out.add(record.withGoldAnswer(a.value(), total));
            }
            return new GroupOutcome.Rated(out);
        }
        if (outcome instanceof ResilientJudge.Quarantined<String> q) {
            return new GroupOutcome.SetAside(new QuarantineRecord(group.prompt().id(), "gold answer: " + q.reason(),
                    q.attempts(), q.lastAnswer(), judge.name(), total));
        }
        return new GroupOutcome.BudgetStopped(total);
    }

    /** Any non-blank text is an answer; an empty reply is asked again like a malformed rating. */
    static String answer(String text) throws MalformedAnswerException {
        if (text == null || text.isBlank()) {
            throw new MalformedAnswerException("empty answer");
        }
        return text.strip();
    }
}
