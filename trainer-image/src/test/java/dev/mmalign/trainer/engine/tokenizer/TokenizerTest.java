package dev.mmalign.trainer.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.*;

import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.train.LogProbs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guards tokenisation: tokenizer.json through DJL's HF tokenizers, and the built-in byte tokenizer. */
class TokenizerTest {
    @TempDir Path dir;

    /** A WordLevel tokenizer.json with <image> as an added special token, written by hand. */
    private static final String TOKENIZER_JSON = """
            {"version":"1.0","truncation":null,"padding":null,
             "added_tokens":[
               {"id":0,"content":"<pad>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
               {"id":1,"content":"<s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
               {"id":2,"content":"</s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
               {"id":3,"content":"<image>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
             "normalizer":null,
             "pre_tokenizer":{"type":"WhitespaceSplit"},
             "post_processor":null,
             "decoder":null,
             "model":{"type":"WordLevel","unk_token":"<unk>","vocab":{
               "<pad>":0,"<s>":1,"</s>":2,"<image>":3,"<unk>":4,"USER:":5,"ASSISTANT:":6,"what":7,"colour":8,
               "is":9,"it?":10,"red.":11,"It":12}}}
            """;

    @Test
    void tokenizerJsonIsLoadedThroughHfTokenizersWithImageToken() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER_JSON);
        try (HfTokenizer t = new HfTokenizer(dir.resolve("tokenizer.json"), 1, 2, 0, 3, 13)) {
            assertArrayEquals(new int[] {5, 3, 7, 8, 9, 10, 6}, t.encode("USER: <image>\nwhat colour is it? ASSISTANT:"));
            assertArrayEquals(new int[] {12, 9, 11}, t.encode(" It is red."));
            assertEquals(4, t.encode("zebra")[0], "unknown words map to <unk>");
            assertTrue(t.decode(new int[] {1, 12, 9, 11, 2}).contains("It is red."));
        }
    }

    @Test
    void modelDirectoryWithTokenizerJsonUsesIt() throws Exception {
        LlavaConfig t = LlavaConfig.tiny();
        LlavaConfig c = new LlavaConfig(t.vision(), new LlavaConfig.TextConfig(13, 32, 64, 2, 4, 2, 1e-5, 10000, 128,
                true), 3, "gelu", -2, 0, 1, 2);
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 1)) {
            // Save a tiny model, then rewrite it with a 13-token vocabulary and tied embeddings.
            ModelLoader.save(vlm, dir);
        }
        var tensors = dev.mmalign.trainer.engine.safetensors.ShardedCheckpoint.read(dir);
        tensors.remove("language_model.lm_head.weight");
        float[] emb = new float[13 * 32];
        System.arraycopy(tensors.get("language_model.model.embed_tokens.weight").data(), 0, emb, 0, emb.length);
        tensors.put("language_model.model.embed_tokens.weight",
                dev.mmalign.trainer.engine.safetensors.Tensor.f32(emb, 13, 32));
        Files.delete(dir.resolve("model.safetensors"));
        dev.mmalign.trainer.engine.safetensors.ShardedCheckpoint.write(dir, tensors, Long.MAX_VALUE);
        c.write(dir.resolve("config.json"));
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER_JSON);
        Path image = dir.resolve("img.png");
        dev.mmalign.trainer.engine.bench.ToyData.writeImages(dir, 1, 16);
        Files.move(dir.resolve("image-0.png"), image);
        try (VisionLanguageModel vlm = ModelLoader.load(dir)) {
            assertInstanceOf(HfTokenizer.class, vlm.tokenizer());
            double lp = LogProbs.responseLogProb(vlm, image, "what colour is it?", "It is red.", false);
            double avg = LogProbs.responseLogProb(vlm, image, "what colour is it?", "It is red.", true);
            assertTrue(lp < 0 && Double.isFinite(lp));
            // 3 words + EOS = 4 response tokens.
            assertEquals(lp / 4, avg, 1e-5);
        }
    }

    @Test
    void byteTokenizerRoundTripsUtf8AndMapsImageToken() {
        ByteTokenizer t = new ByteTokenizer();
        int[] ids = t.encode("héllo <image> x");
        assertEquals(ByteTokenizer.IMAGE, ids[7]);
        assertEquals("héllo  x", t.decode(ids));
        assertEquals('h' + ByteTokenizer.OFFSET, ids[0]);
    }
}
