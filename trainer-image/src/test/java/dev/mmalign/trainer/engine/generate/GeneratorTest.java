package dev.mmalign.trainer.engine.generate;

import static org.junit.jupiter.api.Assertions.*;

import dev.mmalign.trainer.engine.Fixtures;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.data.EncodedExample;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guards generation: KV cache equals recomputation, batching with left padding, seeding, sampling rules. */
class GeneratorTest {
    static VisionLanguageModel vlm;

    @BeforeAll
    static void up() {
        vlm = ModelLoader.create("tiny", 21);
    }

    @AfterAll
    static void down() {
        vlm.close();
    }

    private static EncodedExample prompt(String q, long imageSeed) {
        return EncodedExample.of(vlm.tokenizer(), q, null, Fixtures.randomPixels(16, imageSeed),
                vlm.imagePositions(), 300, false);
    }

    private static GenerationConfig greedy(int tokens, int batch, boolean cache) {
        return new GenerationConfig(0, 1, tokens, 1, 1, batch, cache, false);
    }

    /**
     * Guards the fp16 KV cache: with the weights stored in fp16 the cache is fp16 too, and greedy decoding with it
     * gives the same tokens as recomputing every position (no cache) and as the fp32 model.
     */
    @Test
    void fp16StoredWeightsCacheInFp16WithTheSameGreedyTokens() {
        try (VisionLanguageModel half = ModelLoader.create("tiny", 21)) {
            for (String name : new java.util.ArrayList<>(half.model().weights().keySet())) {
                half.model().storeAs(name, ai.djl.ndarray.types.DataType.FLOAT16);
            }
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT16, half.model().kvCacheType());
            List<EncodedExample> p = List.of(prompt("Describe it.", 1));
            int[] cached = Generator.generateIds(half, p, List.of(new Random(1)), greedy(24, 1, true)).get(0);
            int[] full = Generator.generateIds(half, p, List.of(new Random(1)), greedy(24, 1, false)).get(0);
            int[] fp32 = Generator.generateIds(vlm, p, List.of(new Random(1)), greedy(24, 1, true)).get(0);
            assertArrayEquals(full, cached);
            assertArrayEquals(fp32, cached);
        }
    }

    @Test
    void kvCacheProducesTheSameTokensAsFullRecomputation() {
        List<EncodedExample> p = List.of(prompt("Describe it.", 1));
        int[] cached = Generator.generateIds(vlm, p, List.of(new Random(1)), greedy(24, 1, true)).get(0);
        int[] full = Generator.generateIds(vlm, p, List.of(new Random(1)), greedy(24, 1, false)).get(0);
        assertEquals(24, cached.length, "stopAtEos=false always yields maxNewTokens");
        assertArrayEquals(full, cached);
    }

    @Test
    void leftPaddedBatchGivesTheSameTokensAsOnePromptAtATime() {
        EncodedExample a = prompt("Hi?", 2);
        EncodedExample b = prompt("A considerably longer question about the image?", 3);
        List<Random> rngs = List.of(new Random(1), new Random(2));
        List<int[]> batched = Generator.generateIds(vlm, List.of(a, b), rngs, greedy(12, 2, true));
        int[] aloneA = Generator.generateIds(vlm, List.of(a), List.of(new Random(1)), greedy(12, 1, true)).get(0);
        int[] aloneB = Generator.generateIds(vlm, List.of(b), List.of(new Random(2)), greedy(12, 1, true)).get(0);
        assertArrayEquals(aloneA, batched.get(0));
        assertArrayEquals(aloneB, batched.get(1));
    }

    @Test
    void sampledCompletionsAreReproducibleBySeedAndDifferAcrossSamples(@TempDir Path dir) throws Exception {
        String image = ToyData.writeImages(dir, 1, 16).get(0);
        GenerationConfig cfg = new GenerationConfig(1.0, 0.95, 16, 3, 7, 3, true, false);
        List<String> first = Generator.generate(vlm, dir.resolve(image), "What is it?", cfg);
        List<String> again = Generator.generate(vlm, dir.resolve(image), "What is it?", cfg);
        assertEquals(3, first.size());
        assertEquals(first, again);
        assertNotEquals(first.get(0), first.get(1));
        List<String> otherSeed = Generator.generate(vlm, dir.resolve(image), "What is it?",
                new GenerationConfig(1.0, 0.95, 16, 3, 8, 3, true, false));
        assertNotEquals(first, otherSeed);
        // Batch size does not change what a (prompt, sample) pair produces.
        assertEquals(first, Generator.generate(vlm, dir.resolve(image), "What is it?", cfg.withBatchSize(1)));
    }

    @Test
    void samplerHonoursTemperatureZeroAndTopP() {
        float[] logits = {0f, 5f, 1f, 0.5f};
        Random r = new Random(1);
        assertEquals(1, Sampler.sample(logits, 0, 4, 0, 1, r), "greedy picks the argmax");
        // softmax puts ~0.97 on token 1: top-p 0.9 keeps only it, whatever the draw.
        for (int i = 0; i < 50; i++) {
            assertEquals(1, Sampler.sample(logits, 0, 4, 1.0, 0.9, r));
        }
        // With top-p 1 and a high temperature every token shows up.
        boolean[] seen = new boolean[4];
        for (int i = 0; i < 400; i++) {
            seen[Sampler.sample(logits, 0, 4, 20.0, 1.0, r)] = true;
        }
        assertArrayEquals(new boolean[] {true, true, true, true}, seen);
    }
}
