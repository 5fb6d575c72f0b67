package dev.mmalign.trainer.train;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.SteerLMTemplate;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.sets.FractionSubset;
import dev.mmalign.trainer.sets.SteerLMCondition;
import dev.mmalign.trainer.sets.SteerLMDescriptor;

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

    static List<DpoPairRecord> dpoPairs(Path file, double fraction) {
        List<DpoPairRecord> records = JsonlReader.readAll(file, DpoPairRecord.class, TrainingData::dpoProblem);
        return FractionSubset.select(records, fraction, FRACTION_SEED, DpoPairRecord::id).stream()
                .map(r -> new DpoPairRecord(r.id(), images(r.images()), r.prompt(), r.chosen(), r.rejected(),
                        r.chosenScore(), r.rejectedScore(), r.refChosenLogp(), r.refRejectedLogp(),
                        r.referenceModel()))
                .toList();
    }

    static List<SftExampleRecord> sftExamples(Path file, double fraction) {
        List<SftExampleRecord> records = JsonlReader.readAll(file, SftExampleRecord.class, TrainingData::sftProblem);
        return FractionSubset.select(records, fraction, FRACTION_SEED, SftExampleRecord::id).stream()
                .map(r -> new SftExampleRecord(r.id(), images(r.images()), r.prompt(), r.completion()))
                .toList();
    }

    /**
     * The inference condition of a SteerLM set, read from the set itself: every prompt must end in a well-formed
     * condition (SteerLMCondition), all in one template with one attribute list in one order, since the model learns
     * exactly that form. Checks the whole file, not only the dataFraction subset, so the answer does not depend on it.
     *
     * @throws InvalidInputException (exit code 2) naming file and line of the first example that breaks the rule
     */
    static SteerLMDescriptor steerLM(Path file) {
        SteerLMCondition.Parsed first = null;
        long firstLine = 0;
        for (JsonlReader.Line<SftExampleRecord> line : JsonlReader.readLines(file, SftExampleRecord.class,
                TrainingData::sftProblem)) {
            SftExampleRecord r = line.value();
            SteerLMCondition.Parsed parsed;
            try {
                parsed = SteerLMCondition.parse(r.prompt());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(file, line.number(), "SteerLM example " + r.id() + ": "
                        + e.getMessage() + "; a SteerLM set is built by the build stage (trainingSets.steerLM)");
            }
            if (first == null) {
                first = parsed;
                firstLine = line.number();
            } else if (parsed.template() != first.template()) {
                throw new InvalidInputException(file, line.number(), "SteerLM example " + r.id() + " uses the "
                        + wire(parsed.template()) + " template but line " + firstLine + " uses "
                        + wire(first.template()) + "; one set must use one template");
            } else if (!parsed.attributes().equals(first.attributes())) {
                throw new InvalidInputException(file, line.number(), "SteerLM example " + r.id() + " conditions on "
                        + wireNames(parsed.attributes()) + " but line " + firstLine + " on "
                        + wireNames(first.attributes()) + "; one set must use one attribute list in one order");
            }
        }
        if (first == null) throw new InvalidInputException(file, "training set is empty");
        return SteerLMDescriptor.best(first.template(), first.attributes());
    }

    private static String wire(SteerLMTemplate t) {
        return t == SteerLMTemplate.NEMO ? "nemo" : "natural-language";
    }

    private static List<String> wireNames(List<HelpSteerAttribute> attributes) {
        return attributes.stream().map(HelpSteerAttribute::wireName).toList();
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
