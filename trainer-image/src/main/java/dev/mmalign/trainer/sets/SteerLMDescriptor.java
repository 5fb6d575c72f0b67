package dev.mmalign.trainer.sets;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.SteerLMTemplate;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a SteerLM model wants its questions at inference: the template and attribute list it was trained with and the
 * values to ask for (all 4 by default, DESIGN.md §1). The train stage writes it as {@value #FILE} next to the adapter
 * and the merged model, so the model carries its own condition; whoever loads the model applies it to every user
 * question. A model folder without the file is a plain model.
 *
 * @param desiredValues by attribute wire name, one per attribute
 */
public record SteerLMDescriptor(SteerLMTemplate template, List<HelpSteerAttribute> attributes,
                                Map<String, Integer> desiredValues) {

    public static final String FILE = "steerlm.json";
    /** The top of HelpSteer's 0-4 scale: what inference asks for unless told otherwise. */
    public static final int BEST = 4;

    /** Asks for {@value #BEST} on every attribute the model was trained with. */
    public static SteerLMDescriptor best(SteerLMTemplate template, List<HelpSteerAttribute> attributes) {
        Map<String, Integer> values = new LinkedHashMap<>();
        attributes.forEach(a -> values.put(a.wireName(), BEST));
        return new SteerLMDescriptor(template, List.copyOf(attributes), values);
    }

    /** {@code question} with the condition appended, in the training template. */
    public String apply(String question) {
        return SteerLMCondition.apply(template, question, attributes, desiredValues);
    }

    public void write(Path dir) {
        AtomicFiles.write(dir.resolve(FILE), Json.pretty(this) + "\n");
    }

    /** The descriptor in {@code dir}, or null when there is none (a plain model); a malformed one is exit code 2. */
    public static SteerLMDescriptor read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) return null;
        SteerLMDescriptor d;
        try {
            d = Json.MAPPER.readValue(Files.readString(file), SteerLMDescriptor.class);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file, "not a valid SteerLM descriptor: "
                    + dev.mmalign.trainer.data.JsonProblems.describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String problem = d == null ? "empty file" : d.problem();
        if (problem != null) throw new InvalidInputException(file, problem);
        return d;
    }

    private String problem() {
        if (template == null) return "\"template\" is missing (natural-language or nemo)";
        if (attributes == null || attributes.isEmpty()) return "\"attributes\" is missing or empty";
        if (attributes.contains(null) || attributes.stream().distinct().count() != attributes.size()) {
            return "\"attributes\" has an empty or repeated entry";
        }
        if (desiredValues == null || desiredValues.size() != attributes.size()) {
            return "\"desiredValues\" must give exactly one value per attribute";
        }
        for (HelpSteerAttribute a : attributes) {
            Integer v = desiredValues.get(a.wireName());
            if (v == null || v < 0 || v > BEST) {
                return "\"desiredValues\"." + a.wireName() + " must be an integer 0-" + BEST + ", got " + v;
            }
        }
        return null;
    }
}
