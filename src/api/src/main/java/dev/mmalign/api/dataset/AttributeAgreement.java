package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * How well the judge's ratings of one attribute agree with people's, over the completions both rated. The compact
 * form kept in PreferenceDatasetStatus.agreement; {@link JudgeAgreementFile} adds the confusion matrix.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AttributeAgreement {

    @JsonPropertyDescription("Completions rated by both the judge and a person.")
    public Long n;

    @JsonPropertyDescription("Fraction of them where the judge gave exactly the person's rating.")
    public Double exactMatch;

    @JsonPropertyDescription("Fraction where the judge's rating is at most one step from the person's.")
    public Double withinOne;

    @JsonPropertyDescription("Spearman rank correlation (tied ratings get their average rank); absent when either "
            + "side gave every completion the same rating.")
    public Double spearman;

    @JsonPropertyDescription("Pearson correlation of the ratings; absent when either side is constant.")
    public Double pearson;

    public AttributeAgreement() {}
}
