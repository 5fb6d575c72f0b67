package dev.mmalign.operator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.mmalign.api.run.TrainingMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Guards how the train stage's TRL-named metrics land in status: camelCase fields, 4 significant digits. */
class RunResultsTest {

    @Test
    void metricsAreCamelCasedAndRoundedToFourSignificantDigits() {
        Map<String, Double> raw = new LinkedHashMap<>();
        raw.put("loss", 0.6796250343322754);
        raw.put("rewards/accuracies", 0.8);
        raw.put("learning_rate", 1.9849e-4 + 1.23e-9);
        raw.put("grad_norm", Double.NaN);
        TrainingMetrics m = RunResults.metrics(raw);
        assertEquals(0.6796, m.loss);
        assertEquals(0.8, m.rewardsAccuracies);
        assertEquals(1.985e-4, m.learningRate);
        assertNull(m.gradNorm, "a non-finite value is left out, not written as NaN");
    }
}
