package dev.mmalign.trainer.quickstart;

import dev.mmalign.trainer.evaluate.CircularChoice;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.synthetic.PromptTruth;
import dev.mmalign.trainer.synthetic.ShapeColor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Multiple-choice versions of the colour questions of the tuning scenes, in the prompt form MMBench is asked in
 * ("... Answer with the option's letter from the given choices directly.", gold = the letter). LLaVA-1.5's visual
 * instruction tuning mix has such data (A-OKVQA); without it the base never answers with a letter at all.
 */
final class MultipleChoiceInstructions {

    private MultipleChoiceInstructions() {}

    static List<PromptRecord> from(List<PromptRecord> prompts, long seed) {
        Random random = new Random(seed);
        List<PromptRecord> out = new ArrayList<>();
        for (PromptRecord p : prompts) {
            if (p.truth() == null || !p.hasImage()) continue;
            PromptTruth truth = PromptTruth.fromJson(p.truth());
            if (truth.kind() != PromptTruth.Kind.COLOR) continue;
            List<String> options = new ArrayList<>();
            for (ShapeColor c : ShapeColor.values()) options.add(c.word());
            Collections.shuffle(options, random);
            String letter = String.valueOf((char) ('A' + options.indexOf(truth.answer())));
            out.add(new PromptRecord(p.id() + "-choice", p.image(), CircularChoice.prompt(null, p.question(), options),
                    letter, "synthetic-choice", null));
        }
        return out;
    }
}
