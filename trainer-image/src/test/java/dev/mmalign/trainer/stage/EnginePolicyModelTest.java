package dev.mmalign.trainer.stage;

import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.train.LogProbs;
import dev.mmalign.trainer.synthetic.Scene;
import dev.mmalign.trainer.synthetic.SceneObject;
import dev.mmalign.trainer.synthetic.SceneRenderer;
import dev.mmalign.trainer.synthetic.Shape;
import dev.mmalign.trainer.synthetic.ShapeColor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The engine adapter behind the stages' PolicyModel, on the engine's tiny preset. */
class EnginePolicyModelTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path image;

    @BeforeAll
    static void tinyModel() throws Exception {
        model = dir.resolve("tiny");
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            ModelLoader.save(vlm, model);
        }
        image = dir.resolve("scene.png");
        new SceneRenderer(32).write(new Scene("s", List.of(new SceneObject(Shape.values()[0], ShapeColor.values()[0],
                0, 0))), image);
    }

    /** Guards the ServiceLoader registration: stages find the engine without a compile-time link. */
    @Test
    void serviceLoaderFindsTheEngine() {
        assertInstanceOf(EnginePolicyModelLoader.class, ModelLoaders.discover());
    }

    /** Guards the sampling contract: K completions, the same texts for the same seed, temperature 0 is greedy. */
    @Test
    void generatesKCompletionsReproduciblyAndGreedyAtTemperatureZero() throws Exception {
        try (PolicyModel m = ModelLoaders.discover().load(model, null)) {
            GenerationSettings sampled = new GenerationSettings(3, 1.0, 1.0, 12, 99);
            List<String> first = m.generate(image, "Is there a red circle?", sampled);
            assertEquals(3, first.size());
            assertEquals(first, m.generate(image, "Is there a red circle?", sampled));
            List<String> greedy = m.generate(image, "Is there a red circle?", new GenerationSettings(2, 0.0, 1.0, 12, 1));
            assertEquals(greedy.get(0), greedy.get(1), "greedy decoding ignores the per-sample randomness");
            assertEquals(greedy, m.generate(image, "Is there a red circle?", new GenerationSettings(2, 0.0, 1.0, 12, 5)),
                    "greedy decoding ignores the seed");
            assertEquals(1, m.generate(null, "What is 2 plus 2?", GenerationSettings.greedy(8)).size(),
                    "text-only prompts need no image");
        }
    }

    /**
     * Guards the context bound the benchmarks answer within (evaluate.BoundedAnswer): the tiny preset's 512 positions,
     * a prompt's positions with and without the image's patches, and generation that fills exactly the room left.
     */
    @Test
    void contextLengthAndPromptPositionsBoundGeneration() throws Exception {
        try (PolicyModel m = new EnginePolicyModelLoader().load(model, null)) {
            assertEquals(512, m.contextLength());
            List<ChatMessage> conversation = List.of(ChatMessage.user("x".repeat(400)));
            int text = m.promptPositions(null, conversation);
            assertEquals(true, text > 400 && text < 512, "byte-level tokens plus template and BOS: " + text);
            assertEquals(true, m.promptPositions(image, conversation) > text, "the image's patches count");
            assertEquals(1, m.generate(null, conversation, new GenerationSettings(1, 0.0, 1.0, 512 - text, 0)).size());
        }
    }

    /** Guards logProb: the same number the engine's facade gives, summed unless averaging is asked. */
    @Test
    void logProbIsTheEnginesResponseLogProb() throws Exception {
        double expected;
        try (VisionLanguageModel vlm = ModelLoader.load(model)) {
            expected = LogProbs.responseLogProb(vlm, image, "Describe the image.", "A red circle.", false);
        }
        try (PolicyModel m = new EnginePolicyModelLoader().load(model, null)) {
            assertEquals(expected, m.logProb(image, "Describe the image.", "A red circle.", false), 1e-4);
            double average = m.logProb(image, "Describe the image.", "A red circle.", true);
            assertNotEquals(expected, average, 1e-6);
            assertEquals(true, average > expected, "the per-token mean of negative log-probs is above their sum");
        }
    }

    /** Guards adapter loading: base + PEFT adapter scores like the model the adapter was trained on. */
    @Test
    void appliesAPeftAdapter() throws Exception {
        Path adapter = dir.resolve("adapter");
        double withAdapter;
        try (VisionLanguageModel vlm = ModelLoader.load(model)) {
            LoraConfig cfg = LoraConfig.of(4, 8);
            Lora.attach(vlm.model(), cfg, 1);
            // B starts at zero (a no-op adapter); make it non-trivial so that the test can tell.
            for (LlavaModel.LoraWeights w : vlm.model().lora().values()) {
                w.b().addi(0.05f);
            }
            Lora.save(vlm.model(), cfg, adapter, model.toString());
            withAdapter = LogProbs.responseLogProb(vlm, image, "Describe the image.", "A red circle.", false);
        }
        try (PolicyModel base = new EnginePolicyModelLoader().load(model, null);
             PolicyModel adapted = new EnginePolicyModelLoader().load(model, adapter)) {
            assertEquals(withAdapter, adapted.logProb(image, "Describe the image.", "A red circle.", false), 1e-3);
            assertNotEquals(withAdapter, base.logProb(image, "Describe the image.", "A red circle.", false), 1e-3);
        }
    }

    /**
     * Guards fp16 in the sample and evaluate stages: with half weights every weight is stored in fp16 on the device
     * (streamed so, or converted after merging an adapter), and greedy tokens equal those of fp32 storage.
     */
    @Test
    void fp16StorageGivesTheGreedyTokensOfFp32() throws Exception {
        Path adapter = dir.resolve("adapter-fp16");
        try (VisionLanguageModel vlm = ModelLoader.load(model)) {
            LoraConfig cfg = LoraConfig.of(4, 8);
            Lora.attach(vlm.model(), cfg, 2);
            for (LlavaModel.LoraWeights w : vlm.model().lora().values()) {
                w.b().addi(0.05f);
            }
            Lora.save(vlm.model(), cfg, adapter, model.toString());
        }
        List<String> prompts = List.of("Is there a red circle?", "Describe the image.", "What is 2 plus 2?");
        for (Path adapterDir : java.util.Arrays.asList(null, adapter)) {
            try (PolicyModel full = new EnginePolicyModelLoader().load(model, adapterDir, false);
                 PolicyModel half = new EnginePolicyModelLoader().load(model, adapterDir, true)) {
                assertStored(full, ai.djl.ndarray.types.DataType.FLOAT32);
                assertStored(half, ai.djl.ndarray.types.DataType.FLOAT16);
                for (String prompt : prompts) {
                    Path img = prompt.startsWith("What") ? null : image;
                    assertEquals(full.generate(img, prompt, GenerationSettings.greedy(24)),
                            half.generate(img, prompt, GenerationSettings.greedy(24)),
                            prompt + (adapterDir == null ? "" : " with an adapter"));
                }
            }
        }
    }

    private static void assertStored(PolicyModel m, ai.djl.ndarray.types.DataType type) {
        LlavaModel engine = ((EnginePolicyModel) m).engine().model();
        for (String name : engine.weights().keySet()) {
            assertEquals(type, engine.deviceType(name), name);
        }
    }

    /** Guards the clear failure on a folder that is not a model (exit code 2 through the runner). */
    @Test
    void aFolderWithoutConfigIsInvalidInput() {
        assertThrows(dev.mmalign.trainer.data.InvalidInputException.class,
                () -> new EnginePolicyModelLoader().load(dir.resolve("nothing"), null));
    }

    /** Guards the multi-turn flattening into the LLaVA-1.5 (vicuna_v1) template the engine completes. */
    @Test
    void flattensConversationsIntoTheLlavaTemplate() {
        assertEquals("Q1", ConversationPrompt.flatten(List.of(ChatMessage.user("Q1"))));
        assertEquals("Q1 ASSISTANT: A1</s>USER: Q2", ConversationPrompt.flatten(List.of(
                ChatMessage.user("Q1"), ChatMessage.assistant("A1"), ChatMessage.user("Q2"))));
        assertThrows(IllegalArgumentException.class, () -> ConversationPrompt.flatten(List.of(
                ChatMessage.user("Q1"), ChatMessage.assistant("A1"))));
    }
}
