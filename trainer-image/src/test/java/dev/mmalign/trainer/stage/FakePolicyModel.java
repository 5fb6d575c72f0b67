package dev.mmalign.trainer.stage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in for the engine: completion j of a prompt is a fixed function of (prompt, seed, j), and the
 * log-prob of a response is minus its length. Counts its calls so tests can assert that reruns skip work.
 */
public class FakePolicyModel implements PolicyModel {

    public final AtomicInteger generateCalls = new AtomicInteger();
    public final AtomicInteger logProbCalls = new AtomicInteger();
    public final List<Path> imagesSeen = new ArrayList<>();
    public final List<Integer> batchSizes = new ArrayList<>();

    @Override
    public synchronized List<String> generate(Path image, List<ChatMessage> conversation, GenerationSettings s) {
        generateCalls.incrementAndGet();
        imagesSeen.add(image);
        String prompt = conversation.get(conversation.size() - 1).content();
        List<String> out = new ArrayList<>();
        for (int j = 0; j < s.count(); j++) {
            out.add("answer " + j + " to [" + prompt + "] seed " + Long.toHexString(s.seed()));
        }
        return out;
    }

    /** Records how many prompts each batched call carried, then answers them one by one as the default does. */
    @Override
    public List<List<String>> generateAll(List<Request> requests) {
        synchronized (this) {
            batchSizes.add(requests.size());
        }
        return PolicyModel.super.generateAll(requests);
    }

    @Override
    public double logProb(Path image, String prompt, String response, boolean average) {
        logProbCalls.incrementAndGet();
        return -response.length();
    }

    public PolicyModelLoader loader() {
        FakePolicyModel self = this;
        return new PolicyModelLoader() {
            @Override
            public PolicyModel load(Path modelDir, Path adapterDir) {
                return self;
            }

            /** The fake has no files: its identity is the folder it was asked to load. */
            @Override
            public String fingerprint(Path modelDir, Path adapterDir) {
                return "fake:" + modelDir + (adapterDir == null ? "" : "+" + adapterDir);
            }
        };
    }
}
