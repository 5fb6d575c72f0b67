package dev.mmalign.trainer.stage;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.SteerLMTemplate;
import dev.mmalign.trainer.sets.SteerLMDescriptor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Guards the SteerLM wrapper: every user question that reaches the model carries the inference condition. */
class SteerLMPolicyModelTest {

    /**
     * Guards all three ways in (single generate, batched generateAll as the sample stage uses it, logProb as the build
     * stage uses it) and multi-turn conversations: each user turn is conditioned, assistant turns are left alone.
     */
    @Test
    void everyUserQuestionGeneratedForOrScoredIsConditioned() {
        SteerLMDescriptor d = SteerLMDescriptor.best(SteerLMTemplate.NEMO,
                List.of(HelpSteerAttribute.HELPFULNESS, HelpSteerAttribute.CORRECTNESS));
        RecordingPolicyModel inner = new RecordingPolicyModel(new FakePolicyModel());
        SteerLMPolicyModel model = new SteerLMPolicyModel(inner, d);
        String tail = "<extra_id_2>helpfulness:4,correctness:4";

        model.generate(null, "Q1", GenerationSettings.greedy(4));
        model.generateAll(List.of(new PolicyModel.Request(null, List.of(ChatMessage.user("Q2")),
                GenerationSettings.greedy(4))));
        model.generate(null, List.of(ChatMessage.user("T1"), ChatMessage.assistant("A1"), ChatMessage.user("T2")),
                GenerationSettings.greedy(4));
        model.logProb(null, "Q3", "R", false);

        assertEquals(List.of(ChatMessage.user("Q1" + tail)), inner.conversations.get(0));
        assertEquals(List.of(ChatMessage.user("Q2" + tail)), inner.conversations.get(1));
        assertEquals(List.of(ChatMessage.user("T1" + tail), ChatMessage.assistant("A1"),
                ChatMessage.user("T2" + tail)), inner.conversations.get(2));
        assertEquals(List.of("Q3" + tail), inner.scoredPrompts);
        assertEquals(List.of(1), inner.batchSizes, "the batch still goes to the model as one call");
    }
}
