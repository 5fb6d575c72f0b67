package dev.mmalign.operator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.run.AlignmentRunSpec;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the MemoryChecked condition says for each outcome of the check, a skipped check above all. */
class RunMemoryCheckTest {
    private static AlignmentRunSpec spec(int gpus, String configMap) {
        AlignmentRunSpec spec = new AlignmentRunSpec();
        spec.baseModel = ModelSource.ofPath("models/llava");
        spec.baseModel.configMap = configMap;
        spec.resources = new ComputeResources();
        spec.resources.gpus = gpus;
        return spec;
    }

    @Test
    void withoutAModelConfigMapTheCheckSaysItWasSkippedAndWhy() {
        Map<String, Integer> lookups = new HashMap<>();
        var result = RunMemoryCheck.check(spec(4, null), n -> {
            lookups.merge(n, 1, Integer::sum);
            return null;
        });
        assertInstanceOf(RunMemoryCheck.NotChecked.class, result);
        assertTrue(lookups.isEmpty(), "nothing to look up");
        String[] c = RunMemoryCheck.condition(result);
        assertEquals("False", c[0]);
        assertEquals("MemoryCheckSkipped", c[1]);
        assertTrue(c[2].startsWith("GPU memory not checked: spec.baseModel.configMap is not set"), c[2]);
        assertTrue(c[2].contains("config.json"), c[2]);
    }

    @Test
    void onCpuTheCheckIsSkippedAsSuch() {
        String[] c = RunMemoryCheck.condition(RunMemoryCheck.check(spec(0, "llava"), n -> null));
        assertEquals("MemoryCheckSkipped", c[1]);
        assertTrue(c[2].contains("trains on CPU"), c[2]);
    }

    @Test
    void aPlanThatFitsIsTrueAndAMissingConfigMapNamesIt() {
        var fits = RunMemoryCheck.check(spec(1, "tiny"), n -> new ConfigMapBuilder().withNewMetadata().withName(n)
                .endMetadata().addToData("config.json", TINY).build());
        String[] c = RunMemoryCheck.condition(fits);
        assertEquals("True", c[0]);
        assertEquals("Fits", c[1]);
        assertTrue(c[2].contains("of 80.0 GiB per GPU"), c[2]);

        String[] missing = RunMemoryCheck.condition(RunMemoryCheck.check(spec(1, "gone"), n -> null));
        assertEquals("False", missing[0]);
        assertEquals("ModelConfigNotFound", missing[1]);
        assertTrue(missing[2].contains("ConfigMap gone"), missing[2]);
    }

    static final String TINY = """
            {"vision_config": {"hidden_size": 4, "intermediate_size": 8, "num_hidden_layers": 2,
              "num_attention_heads": 1, "image_size": 4, "patch_size": 2},
             "text_config": {"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 2,
              "num_attention_heads": 2, "num_key_value_heads": 2}}
            """;
}
