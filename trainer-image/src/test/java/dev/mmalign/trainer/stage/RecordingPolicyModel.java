package dev.mmalign.trainer.stage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Passes every call on to {@code inner} and records what it was asked: conversations, batch sizes, scored prompts. */
public class RecordingPolicyModel implements PolicyModel {

    private final PolicyModel inner;
    public final List<List<ChatMessage>> conversations = new ArrayList<>();
    public final List<Integer> batchSizes = new ArrayList<>();
    public final List<String> scoredPrompts = new ArrayList<>();

    public RecordingPolicyModel(PolicyModel inner) {
        this.inner = inner;
    }

    /** The last user turn of every conversation asked so far, in order. */
    public synchronized List<String> lastUserTurns() {
        return conversations.stream().map(c -> c.get(c.size() - 1).content()).toList();
    }

    @Override
    public synchronized List<String> generate(Path image, List<ChatMessage> conversation, GenerationSettings s) {
        conversations.add(conversation);
        return inner.generate(image, conversation, s);
    }

    @Override
    public synchronized List<List<String>> generateAll(List<Request> requests) {
        batchSizes.add(requests.size());
        requests.forEach(r -> conversations.add(r.conversation()));
        return inner.generateAll(requests);
    }

    @Override
    public synchronized double logProb(Path image, String prompt, String response, boolean average) {
        scoredPrompts.add(prompt);
        return inner.logProb(image, prompt, response, average);
    }

    @Override
    public void close() {
        inner.close();
    }
}
