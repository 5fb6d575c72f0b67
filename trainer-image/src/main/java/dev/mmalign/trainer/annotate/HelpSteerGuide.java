package dev.mmalign.trainer.annotate;

import dev.mmalign.api.dataset.HelpSteerAttribute;

import java.util.List;

/**
 * The built-in labelling guide: our own wording of the HelpSteer attributes (paper Table 1) with an anchor for every
 * point of the 0-4 scale, adapted to image questions (correctness is judged against what the image shows).
 */
public final class HelpSteerGuide {

    private HelpSteerGuide() {}

    public static String text(List<HelpSteerAttribute> attributes) {
        StringBuilder g = new StringBuilder();
        g.append("""
                You are an expert annotator of answers given by an AI assistant to questions about an image.
                You see the image, the question and several candidate responses. Rate every response
                independently on each attribute below with an integer from 0 (worst) to 4 (best).
                Judge facts against what the image actually shows: a response that mentions an object, colour,
                count or position the image does not show is incorrect, however fluent it is.

                """);
        for (HelpSteerAttribute a : attributes) {
            g.append(section(a)).append('\n');
        }
        g.append("""
                Procedure: first look at the image and write down the facts needed to answer the question. Then
                go through the responses one by one and reason about each attribute. Only after reasoning give the
                ratings. Rate each response on its own merits; several responses may get the same rating.
                """);
        return g.toString();
    }

    private static String section(HelpSteerAttribute a) {
        return switch (a) {
            case HELPFULNESS -> """
                    Helpfulness - the overall helpfulness of the response to the question.
                      4: fully answers the question and is exactly what the user needs.
                      3: answers the question with minor gaps or minor unneeded content.
                      2: partially helpful; misses part of what was asked or mixes in wrong content.
                      1: barely helpful; mostly off-target or mostly wrong.
                      0: not helpful at all, wrong, refuses without reason, or empty.
                    """;
            case CORRECTNESS -> """
                    Correctness - inclusion of all pertinent facts without errors (against the image).
                      4: every statement is true and all facts the question needs are present.
                      3: true, but a pertinent fact is missing, or one trivial inaccuracy.
                      2: a mix of true and false statements, or a key fact missing.
                      1: mostly false or hallucinated content.
                      0: entirely false or hallucinated, or says nothing checkable.
                    """;
            case COHERENCE -> """
                    Coherence - consistency and clarity of expression.
                      4: perfectly clear, logical and self-consistent.
                      3: mostly clear; a little awkward phrasing.
                      2: some contradictions, repetition or hard-to-follow passages.
                      1: largely incoherent or repetitive.
                      0: gibberish or completely self-contradictory.
                    """;
            case COMPLEXITY -> """
                    Complexity - the intellectual depth needed to write the response.
                      4: requires deep domain expertise.
                      3: requires relevant specialised knowledge or careful multi-step reasoning.
                      2: requires a good general education.
                      1: could be written by anyone with basic language ability.
                      0: a word or two, no reasoning at all.
                    """;
            case VERBOSITY -> """
                    Verbosity - the amount of detail relative to what the question asks for.
                      4: far more detail than asked.
                      3: somewhat more detail than asked.
                      2: about as much detail as asked.
                      1: somewhat terse.
                      0: extremely terse, missing needed detail.
                    """;
        };
    }
}
