package dev.mmalign.api.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.run.Method;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/**
 * The values a sweep tries, one list per AlignmentRun field it varies. Every child run is one point of the product of
 * the lists that are set; an unset axis keeps the template's value.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.dataFraction) || has(self.beta) || has(self.learningRate) "
        + "|| has(self.averageLogProbs) || has(self.method)", message = "set at least one axis")
public class SweepAxes {

    /** Most values on one axis. */
    public static final int MAX_VALUES = 16;

    @Size(min = 1, max = MAX_VALUES)
    @ValidationRule(value = "self.all(f, f > 0.0 && f <= 1.0)", message = "every dataFraction must be in (0, 1]")
    @ValidationRule(value = "self.all(f, self.exists_one(g, g == f))", message = "dataFraction values must be unique")
    @JsonPropertyDescription("Fractions of the training set (spec.dataFraction of the children), each in (0, 1]; "
            + "the subsets are nested and deterministic (paper Figure 2).")
    public List<Double> dataFraction;

    @Size(min = 1, max = MAX_VALUES)
    @ValidationRule(value = "self.all(b, b > 0.0 && b <= 100.0)", message = "every beta must be in (0, 100]")
    @ValidationRule(value = "self.all(b, self.exists_one(c, c == b))", message = "beta values must be unique")
    @JsonPropertyDescription("DPO beta values (spec.dpo.beta); DPO children only.")
    public List<Double> beta;

    @Size(min = 1, max = MAX_VALUES)
    @ValidationRule(value = "self.all(r, r > 0.0 && r <= 1.0)", message = "every learningRate must be in (0, 1]")
    @ValidationRule(value = "self.all(r, self.exists_one(s, s == r))", message = "learningRate values must be unique")
    @JsonPropertyDescription("Learning rates (spec.training.learningRate).")
    public List<Double> learningRate;

    @Size(min = 1, max = 2)
    @ValidationRule(value = "self.all(a, self.exists_one(b, b == a))", message = "averageLogProbs values must be unique")
    @JsonPropertyDescription("Averaged (true) vs summed (false) response log-probabilities (spec.dpo.averageLogProbs); "
            + "DPO children only.")
    public List<Boolean> averageLogProbs;

    @Size(min = 1, max = 4)
    @ValidationRule(value = "self.all(m, self.exists_one(n, n == m))", message = "method values must be unique")
    @JsonPropertyDescription("Training methods (spec.method). Children of other methods than DPO ignore the DPO axes "
            + "(beta, averageLogProbs): one such child per point of the other axes.")
    public List<Method> method;

    public SweepAxes() {}
}
