package dev.mmalign.trainer.engine.generate;


import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.model.KvCache;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Batched sampling with a KV cache. Prompts are left-padded (a key mask hides the padding, positions start
 * at each row's first real token), prefilled once, then extended one token per step; each step runs in its
 * own NDManager and only the cache survives it.
 */
public final class Generator {
    private Generator() {}

    /** K completions (cfg.numSamples) for one image + prompt; {@code image} may be null (text-only). */
    public static List<String> generate(VisionLanguageModel vlm, Path image, String prompt, GenerationConfig cfg)
            throws IOException {
        return generate(vlm, java.util.Collections.singletonList(image), List.of(prompt), cfg).get(0);
    }

    /** K completions for each prompt, in prompt order; prompt i's randomness derives from (cfg.seed, i). */
    public static List<List<String>> generate(VisionLanguageModel vlm, List<Path> images, List<String> prompts,
            GenerationConfig cfg) throws IOException {
        List<Long> bases = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            bases.add(cfg.seed() * 1_000_003L + i * 7919L);
        }
        return generate(vlm, images, prompts, cfg, bases);
    }

    /**
     * K completions for each prompt, each prompt with its own seed ({@code cfg.seed()} is not used): prompt i gets
     * exactly the completions that {@code generate(vlm, images[i], prompts[i], cfg with seed seeds[i])} gives alone,
     * up to float rounding of the batched forward pass, since each row samples with its own RNG. This is what lets a
     * stage batch prompts without changing what a prompt's seed means.
     */
    public static List<List<String>> generateSeeded(VisionLanguageModel vlm, List<Path> images, List<String> prompts,
            List<Long> seeds, GenerationConfig cfg) throws IOException {
        if (seeds.size() != prompts.size()) {
            throw new IllegalArgumentException(seeds.size() + " seeds for " + prompts.size() + " prompts");
        }
        List<Long> bases = new ArrayList<>();
        for (long seed : seeds) {
            bases.add(seed * 1_000_003L); // the single-prompt formula (prompt index 0)
        }
        return generate(vlm, images, prompts, cfg, bases);
    }

    /** Sample k of prompt i draws from {@code new Random(rngBases[i] + k)}. */
    private static List<List<String>> generate(VisionLanguageModel vlm, List<Path> images, List<String> prompts,
            GenerationConfig cfg, List<Long> rngBases) throws IOException {
        List<EncodedExample> rows = new ArrayList<>();
        List<Random> rngs = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            EncodedExample e = vlm.encode(images.get(i), prompts.get(i), null, Integer.MAX_VALUE);
            for (int k = 0; k < cfg.numSamples(); k++) {
                rows.add(e);
                rngs.add(new Random(rngBases.get(i) + k));
            }
        }
        List<int[]> ids = new ArrayList<>();
        for (int start = 0; start < rows.size(); start += cfg.batchSize()) {
            int end = Math.min(rows.size(), start + cfg.batchSize());
            ids.addAll(generateIds(vlm, rows.subList(start, end), rngs.subList(start, end), cfg));
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            List<String> samples = new ArrayList<>();
            for (int k = 0; k < cfg.numSamples(); k++) {
                samples.add(vlm.tokenizer().decode(ids.get(i * cfg.numSamples() + k)).strip());
            }
            out.add(samples);
        }
        return out;
    }

    /** New token ids per row (EOS excluded), sampling each row with its own RNG. */
    public static List<int[]> generateIds(VisionLanguageModel vlm, List<EncodedExample> prompts, List<Random> rngs,
            GenerationConfig cfg) {
        LlavaModel model = vlm.model();
        int b = prompts.size();
        int vocab = model.config().text().vocabSize();
        int eos = vlm.tokenizer().eosId();
        int patches = model.config().imageTokens();
        int[] lengths = new int[b];
        int maxLen = 0;
        for (int i = 0; i < b; i++) {
            EncodedExample e = prompts.get(i);
            lengths[i] = e.ids().length + (e.imagePos() >= 0 ? patches - 1 : 0);
            maxLen = Math.max(maxLen, lengths[i]);
        }
        List<List<Integer>> generated = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            generated.add(new ArrayList<>());
        }
        boolean[] done = new boolean[b];
        try (NDManager m = vlm.manager().newSubManager();
                KvCache cache = new KvCache(model.config().text().numLayers(), maxLen + cfg.maxNewTokens(), m,
                        model.kvCacheType())) {
            NDArray sequence = leftPaddedEmbeddings(m, model, prompts, lengths, maxLen); // [B, P, D]
            int total = maxLen;
            long[] positions = new long[b * maxLen];
            float[] mask = new float[b * maxLen];
            for (int i = 0; i < b; i++) {
                int pad = maxLen - lengths[i];
                for (int t = pad; t < maxLen; t++) {
                    positions[i * maxLen + t] = t - pad;
                    mask[i * maxLen + t] = 1f;
                }
            }
            float[] fullMask = mask;
            long[] fullPositions = positions;
            NDArray input = sequence;
            int inputLen = maxLen;
            for (int step = 0; step < cfg.maxNewTokens(); step++) {
                float[] last;
                int[] next = new int[b];
                try (NDManager s = m.newSubManager()) {
                    NDArray pos = OwnedArrays.of(s, cfg.useCache() ? positions : fullPositions, new Shape(b, inputLen));
                    NDArray keyMask = OwnedArrays.of(s, fullMask, new Shape(b, total));
                    // Ops land on their input's manager: run this step on a copy owned by the step manager.
                    NDArray x = input.duplicate();
                    x.attach(s);
                    NDArray logits = model.decode(x, pos, keyMask, cfg.useCache() ? cache : null);
                    last = logits.get(":, -1, :").toFloatArray();
                    for (int i = 0; i < b; i++) {
                        next[i] = done[i] ? eos : Sampler.sample(last, i * vocab, vocab, cfg.temperature(),
                                cfg.topP(), rngs.get(i));
                        if (!done[i]) {
                            if (next[i] == eos && cfg.stopAtEos()) {
                                done[i] = true;
                            } else {
                                generated.get(i).add(next[i]);
                            }
                        }
                    }
                    if (allDone(done) || step == cfg.maxNewTokens() - 1) {
                        break;
                    }
                    long[] ids = new long[b];
                    for (int i = 0; i < b; i++) {
                        ids[i] = next[i];
                    }
                    NDArray emb = model.embedTokens(OwnedArrays.of(s, ids, new Shape(b, 1)));
                    emb.attach(m);
                    positions = new long[b];
                    for (int i = 0; i < b; i++) {
                        positions[i] = lengths[i] + step;
                    }
                    fullMask = append(fullMask, b, total, 1f);
                    fullPositions = append(fullPositions, b, total, positions);
                    total++;
                    if (cfg.useCache()) {
                        if (input != sequence) {
                            input.close();
                        }
                        input = emb;
                        inputLen = 1;
                    } else {
                        // Without a cache the whole sequence goes through the model again.
                        NDArray longer = input.concat(emb, 1);
                        longer.attach(m);
                        if (input != sequence) {
                            input.close();
                        }
                        emb.close();
                        input = longer;
                        inputLen = total;
                    }
                }
            }
        }
        List<int[]> out = new ArrayList<>();
        for (List<Integer> g : generated) {
            out.add(g.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    private static NDArray leftPaddedEmbeddings(NDManager m, LlavaModel model, List<EncodedExample> prompts,
            int[] lengths, int maxLen) {
        NDList rows = new NDList();
        int size = model.config().vision().imageSize();
        for (int i = 0; i < prompts.size(); i++) {
            EncodedExample e = prompts.get(i);
            long[] ids = new long[e.ids().length];
            for (int t = 0; t < ids.length; t++) {
                ids[t] = e.ids()[t];
            }
            NDArray tok = model.embedTokens(OwnedArrays.of(m, ids, new Shape(1, ids.length))).get(0);
            NDArray seq = tok;
            if (e.imagePos() >= 0) {
                NDArray feats;
                // The vision tower's intermediates go with a scratch manager: only the features stay.
                try (NDManager scratch = m.newSubManager()) {
                    feats = model.encodeImages(OwnedArrays.of(scratch, e.pixels(), new Shape(1, 3, size, size))).get(0);
                    feats.attach(m);
                }
                int j = e.imagePos();
                seq = NDArrays.concat(new NDList(tok.get(":" + j), feats, tok.get((j + 1) + ":")));
            }
            if (lengths[i] < maxLen) {
                seq = m.zeros(new Shape(maxLen - lengths[i], seq.getShape().get(1))).concat(seq, 0);
            }
            rows.add(seq);
        }
        return NDArrays.stack(rows);
    }

    private static boolean allDone(boolean[] done) {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }

    private static float[] append(float[] rows, int b, int width, float value) {
        float[] out = new float[b * (width + 1)];
        for (int i = 0; i < b; i++) {
            System.arraycopy(rows, i * width, out, i * (width + 1), width);
            out[i * (width + 1) + width] = value;
        }
        return out;
    }

    private static long[] append(long[] rows, int b, int width, long[] column) {
        long[] out = new long[b * (width + 1)];
        for (int i = 0; i < b; i++) {
            System.arraycopy(rows, i * width, out, i * (width + 1), width);
            out[i * (width + 1) + width] = column[i];
        }
        return out;
    }
}
