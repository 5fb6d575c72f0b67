package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code agreement.json} ({@link dev.mmalign.api.stage.ArtifactLayout#AGREEMENT_FILE}), written by the
 * build stage beside the annotation shards when annotation.humanRatings is set. Readers (the HTML report) should
 * ignore fields they do not know. Fields:
 * <ul>
 *   <li>{@code humanRatings}: the ratings file, relative to the storage root.</li>
 *   <li>{@code humanRatingsRows}: rows in that file; {@code completionsHumanRated}: completions they rate;
 *       {@code completionsCompared}: those of them the judge rated too (the rest, {@code completionsNotJudged},
 *       belong to prompts that were quarantined or not yet annotated).</li>
 *   <li>{@code scaleMin}, {@code scaleMax}: the rating scale (0 and 4, HelpSteer's).</li>
 *   <li>{@code attributes}: per attribute wire name (helpfulness, correctness, ...), in the spec's order: the
 *       {@link AttributeAgreement} figures plus {@code confusion}, a 5×5 matrix of counts where
 *       {@code confusion[h][j]} is the number of completions the person rated {@code h} and the judge {@code j}.</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JudgeAgreementFile {

    public String humanRatings;
    public Long humanRatingsRows;
    public Long completionsHumanRated;
    public Long completionsCompared;
    public Long completionsNotJudged;
    public Integer scaleMin = 0;
    public Integer scaleMax = 4;
    public Map<String, Attribute> attributes = new LinkedHashMap<>();

    public JudgeAgreementFile() {}

    /** One attribute's figures and its confusion matrix (rows: the person's rating, columns: the judge's). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Attribute extends AttributeAgreement {
        public List<List<Long>> confusion;

        public Attribute() {}
    }

    /**
     * Stage-result metric keys carrying the compact figures from the build stage to the operator:
     * {@code agreement/<attribute>/<figure>}, figure one of n, exactMatch, withinOne, spearman, pearson.
     */
    public static final String METRIC_PREFIX = "agreement/";

    public static String metricKey(String attribute, String figure) {
        return METRIC_PREFIX + attribute + "/" + figure;
    }
}
