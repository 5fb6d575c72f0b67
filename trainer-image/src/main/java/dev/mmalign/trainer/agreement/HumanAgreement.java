package dev.mmalign.trainer.agreement;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.JudgeAgreementFile;
import dev.mmalign.trainer.annotate.ImportedRatings;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The judge's agreement with people's ratings (annotation.humanRatings): the human file is read and matched to the
 * sampled completions as an import is (a bad rating or a conflict is exit 2 with file:line); a row rating a response
 * of one of the dataset's prompts that was never sampled is a response of its own, which the annotate stage had the
 * judge rate too (HelpSteer-style: people rated responses of their own choosing). Every response both sides rated is
 * compared per attribute. Completions people rated but
 * the judge did not (quarantined or not yet annotated prompts) are counted, not compared.
 */
public final class HumanAgreement {

    private HumanAgreement() {}

    /**
     * @param humanFile the people's ratings; @param humanPath the same, as written in the file (storage-relative)
     * @param judged the judge's ratings by completion id, the unsampled human-rated responses' included
     */
    public static JudgeAgreementFile compute(Path humanFile, String humanPath, List<HelpSteerAttribute> attributes,
                                             Map<String, JsonlReader.Line<PromptRecord>> prompts,
                                             Map<String, List<CompletionRecord>> completions,
                                             Map<String, AnnotationRecord> judged) {
        ImportedRatings.Result human = ImportedRatings.read(humanFile, attributes, prompts, completions, true);
        List<String> compared = new ArrayList<>();
        for (String completionId : human.ratings().keySet()) {
            if (judged.containsKey(completionId)) compared.add(completionId);
        }
        if (compared.isEmpty()) {
            throw new InvalidInputException(humanFile, "none of the " + human.ratings().size()
                    + " completions rated here was rated by the judge: no agreement can be measured");
        }
        JudgeAgreementFile file = new JudgeAgreementFile();
        file.humanRatings = humanPath;
        file.humanRatingsRows = human.rows();
        file.completionsHumanRated = (long) human.ratings().size();
        file.completionsCompared = (long) compared.size();
        file.completionsNotJudged = (long) (human.ratings().size() - compared.size());
        file.scaleMin = 0;
        file.scaleMax = RatingAgreement.SCALE_MAX;
        for (HelpSteerAttribute a : attributes) {
            String name = a.wireName();
            int[] h = new int[compared.size()];
            int[] j = new int[compared.size()];
            for (int i = 0; i < compared.size(); i++) {
                String id = compared.get(i);
                h[i] = human.ratings().get(id).ratings().get(name);
                Integer judge = judged.get(id).ratings().get(name);
                if (judge == null) {
                    throw new InvalidInputException(humanFile, "the judge's rating of completion " + id
                            + " has no " + name + "; annotation.attributes changed since it was annotated?");
                }
                j[i] = judge;
            }
            file.attributes.put(name, entry(RatingAgreement.of(h, j)));
        }
        return file;
    }

    /** The compact figures as stage-result metrics, "agreement/&lt;attribute&gt;/&lt;figure&gt;". */
    public static void putMetrics(JudgeAgreementFile file, Map<String, Double> metrics) {
        file.attributes.forEach((name, a) -> {
            metrics.put(JudgeAgreementFile.metricKey(name, "n"), a.n.doubleValue());
            metrics.put(JudgeAgreementFile.metricKey(name, "exactMatch"), a.exactMatch);
            metrics.put(JudgeAgreementFile.metricKey(name, "withinOne"), a.withinOne);
            if (a.spearman != null) metrics.put(JudgeAgreementFile.metricKey(name, "spearman"), a.spearman);
            if (a.pearson != null) metrics.put(JudgeAgreementFile.metricKey(name, "pearson"), a.pearson);
        });
    }

    private static JudgeAgreementFile.Attribute entry(RatingAgreement r) {
        JudgeAgreementFile.Attribute a = new JudgeAgreementFile.Attribute();
        a.n = r.n();
        a.exactMatch = r.exactMatch();
        a.withinOne = r.withinOne();
        a.spearman = r.spearman();
        a.pearson = r.pearson();
        a.confusion = r.confusion();
        return a;
    }
}
