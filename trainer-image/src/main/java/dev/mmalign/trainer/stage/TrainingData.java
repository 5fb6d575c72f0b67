package dev.mmalign.trainer.stage;

import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.data.DpoPair;
import dev.mmalign.trainer.engine.data.SftExample;
import dev.mmalign.trainer.sets.FractionSubset;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads a training set file (DESIGN.md §5 formats) into the engine's records, validated line by line (a bad line is
 * an exit-2 error naming file and line), and keeps the {@code dataFraction} subset.
 */
final class TrainingData {

    /**
     * Fixed, not the training seed: the subsets of different runs must be nested (25 % inside 50 %) even when the
     * runs use different training seeds.
     */
    static final long FRACTION_SEED = 0;

    private TrainingData() {}

    static List<DpoPair> dpoPairs(Path file, double fraction) {
        List<DpoPairRecord> records = JsonlReader.readAll(file, DpoPairRecord.class, TrainingData::dpoProblem);
        return FractionSubset.select(records, fraction, FRACTION_SEED, DpoPairRecord::id).stream()
                .map(r -> new DpoPair(r.id(), images(r.images()), r.prompt(), r.chosen(), r.rejected(),
                        r.chosenScore(), r.rejectedScore(), r.refChosenLogp(), r.refRejectedLogp()))
                .toList();
    }

    static List<SftExample> sftExamples(Path file, double fraction) {
        List<SftExampleRecord> records = JsonlReader.readAll(file, SftExampleRecord.class, TrainingData::sftProblem);
        return FractionSubset.select(records, fraction, FRACTION_SEED, SftExampleRecord::id).stream()
                .map(r -> new SftExample(r.id(), images(r.images()), r.prompt(), r.completion()))
                .toList();
    }

    private static List<String> images(List<String> images) {
        return images == null ? List.of() : images;
    }

    private static String dpoProblem(DpoPairRecord r) {
        if (r.id() == null || r.id().isBlank()) return "DPO pair has no \"id\"";
        if (r.prompt() == null || r.chosen() == null || r.rejected() == null) {
            return "DPO pair " + r.id() + " needs \"prompt\", \"chosen\" and \"rejected\" (is this an SFT set?)";
        }
        return imagesProblem(r.id(), r.images());
    }

    private static String sftProblem(SftExampleRecord r) {
        if (r.id() == null || r.id().isBlank()) return "SFT example has no \"id\"";
        if (r.prompt() == null || r.completion() == null) {
            return "SFT example " + r.id() + " needs \"prompt\" and \"completion\" (is this a DPO set?)";
        }
        return imagesProblem(r.id(), r.images());
    }

    private static String imagesProblem(String id, List<String> images) {
        return images != null && images.size() > 1 ? id + ": more than one image is not supported" : null;
    }
}
