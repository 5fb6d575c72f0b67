package dev.mmalign.trainer.stage;

import dev.mmalign.trainer.sets.SteerLMDescriptor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SteerLM model as the stages see it: every user question it generates for or scores gets the model's inference
 * condition ({@link SteerLMDescriptor}, e.g. all attributes at 4) appended in its training template, because the model
 * was only ever trained on conditioned prompts. Every user turn of a conversation is conditioned, as each was a
 * conditioned question in training; assistant turns are left as they are.
 */
public final class SteerLMPolicyModel implements PolicyModel {

    private final PolicyModel inner;
    private final SteerLMDescriptor condition;

    public SteerLMPolicyModel(PolicyModel inner, SteerLMDescriptor condition) {
        this.inner = inner;
        this.condition = condition;
    }

    public SteerLMDescriptor condition() {
        return condition;
    }

    @Override
    public List<String> generate(Path image, List<ChatMessage> conversation, GenerationSettings settings) {
        return inner.generate(image, conditioned(conversation), settings);
    }

    @Override
    public List<List<String>> generateAll(List<Request> requests) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) out.add(new Request(r.image(), conditioned(r.conversation()), r.settings()));
        return inner.generateAll(out);
    }

    @Override
    public int contextLength() {
        return inner.contextLength();
    }

    @Override
    public int promptPositions(Path image, List<ChatMessage> conversation) {
        return inner.promptPositions(image, conditioned(conversation));
    }

    @Override
    public double logProb(Path image, String prompt, String response, boolean average) {
        return inner.logProb(image, condition.apply(prompt), response, average);
    }

    @Override
    public void close() {
        inner.close();
    }

    private List<ChatMessage> conditioned(List<ChatMessage> conversation) {
        List<ChatMessage> out = new ArrayList<>();
        for (ChatMessage m : conversation) {
            out.add("user".equals(m.role()) ? ChatMessage.user(condition.apply(m.content())) : m);
        }
        return out;
    }
}
