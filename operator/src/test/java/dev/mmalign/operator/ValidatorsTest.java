package dev.mmalign.operator;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.TrainingSet;
import dev.mmalign.operator.dataset.DatasetValidator;
import dev.mmalign.operator.run.RunValidator;
import dev.mmalign.operator.suite.SuiteValidator;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator's own check of the CRD rules, for clusters (and the test server) that do not run CEL. */
class ValidatorsTest {

    /** Guards that the fixtures are valid, so the failing cases below fail for their stated reason. */
    @Test
    void validSpecsPass() {
        assertEquals(List.of(), DatasetValidator.validate(Fixtures.dataset("ns", "d").getSpec()));
        assertEquals(List.of(), RunValidator.validate(Fixtures.run("ns", "r", "d").getSpec()));
        assertEquals(List.of(), SuiteValidator.validate(Fixtures.suite("ns", "s",
                List.of(Fixtures.modelAt("a", "p"))).getSpec()));
    }

    /** Guards the dataset rules: judge provider requirements, prompts source, sampling model. */
    @Test
    void datasetRules() {
        var spec = Fixtures.dataset("ns", "d").getSpec();
        spec.annotation.provider = JudgeProvider.OPENAI_COMPATIBLE;
        spec.sampling.model.alignmentRun = "also";
        spec.sampling.completionsPerPrompt = 1;
        var errors = DatasetValidator.validate(spec);
        assertTrue(errors.contains("spec.annotation: provider openai-compatible requires endpoint"), errors.toString());
        assertTrue(errors.contains("spec.annotation: provider openai-compatible requires model"), errors.toString());
        assertTrue(errors.contains("spec.sampling.model: set exactly one of path and alignmentRun"), errors.toString());
        assertTrue(errors.contains("spec.sampling.completionsPerPrompt must be at least 2 (pairs need two)"));
    }

    /** Guards the run rules: method vs. training set, dpo settings, data fraction, evaluation judge. */
    @Test
    void runRules() {
        AlignmentRun run = Fixtures.run("ns", "r", "d");
        run.getSpec().method = Method.SFT;
        run.getSpec().dataset.trainingSet = TrainingSet.dpo;
        run.getSpec().dpo = new dev.mmalign.api.run.DpoSpec();
        run.getSpec().dataFraction = 1.5;
        run.getSpec().evaluation = Fixtures.evaluation();
        run.getSpec().evaluation.benchmarks = List.of(Fixtures.benchmark(BenchmarkName.MM_VET));
        var errors = RunValidator.validate(run.getSpec());
        assertEquals(List.of("the dpo training set can only be used with method DPO",
                "dpo settings are only valid with method DPO", "spec.dataFraction must be in (0, 1]",
                "spec.evaluation: judge-scored benchmarks (mm-vet) require judge"), errors);
    }

    /** Guards the suite rules: unique model names, exactly one source per model, benchmark ids. */
    @Test
    void suiteRules() {
        var suite = Fixtures.suite("ns", "s", List.of(Fixtures.modelAt("a", "p"), Fixtures.modelAt("a", "q")));
        suite.getSpec().models.get(1).alignmentRun = "r";
        suite.getSpec().benchmarks = List.of(Fixtures.benchmark(BenchmarkName.POPE),
                Fixtures.benchmark(BenchmarkName.POPE));
        var errors = SuiteValidator.validate(suite.getSpec());
        assertTrue(errors.contains("model names must be unique: a"), errors.toString());
        assertTrue(errors.contains("model a: set exactly one of path and alignmentRun"), errors.toString());
        assertTrue(errors.contains("benchmark id pope is used twice; give each entry an id"), errors.toString());
    }
}
