package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.sweep.SweepTable;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.report.Section;
import dev.mmalign.trainer.report.SweepSection;
import dev.mmalign.trainer.stage.StageContext;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A suite's report step (the evaluate spec sets paths.inputs.results): merges the results.json each model's evaluate
 * pod wrote into {@code <results>/<model>/} into one results.json, in the spec's model order, and renders report.html
 * with the sections {@link ReportSources} finds and the sweep's tables the operator passed. It loads no model and
 * asks no judge: every score was computed by the model's own evaluation.
 */
final class SuiteReport {

    /** A model's folder name: the suite's model names are DNS labels, never a path. */
    private static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private SuiteReport() {}

    static StageResult write(StageContext ctx, Path resultsDir) {
        List<ResolvedModel> models = ctx.spec().models;
        if (models == null || models.isEmpty()) {
            throw new InvalidInputException(ctx.specFile(), "the report step needs models");
        }
        ResultsFile.Table merged = new ResultsFile.Table(new LinkedHashMap<>());
        StageResult result = new StageResult();
        result.outcome = StageResult.Outcome.succeeded;
        for (ResolvedModel m : models) {
            if (m.name == null || !MODEL_NAME.matcher(m.name).matches()) {
                throw new InvalidInputException(ctx.specFile(), "models[].name " + m.name + " is not a DNS label");
            }
            Path file = resultsDir.resolve(m.name).resolve(StageInputs.RESULTS_FILE);
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException(file, "no results of model " + m.name
                        + " (its evaluation has not written them)");
            }
            ResultsFile.Table one;
            try {
                one = ResultsFile.read(file);
            } catch (UncheckedIOException e) {
                throw new InvalidInputException(file, "unreadable results: " + e.getCause().getMessage());
            }
            Map<String, Map<String, Double>> scores = one.models().get(m.name);
            if (scores == null) {
                throw new InvalidInputException(file, "holds no results of model " + m.name);
            }
            merged.models().put(m.name, scores);
            scores.forEach((benchmark, metrics) -> metrics.forEach((k, v) ->
                    result.metrics.put(m.name + "/" + benchmark + "/" + k, v)));
        }
        List<Section> sections = new ArrayList<>(ReportSources.sections(ctx));
        List<SweepTable> sweep = ctx.spec().sweepTables;
        if (sweep != null) sections.add(SweepSection.render(ReportSources.sweepAxes(sweep),
                "the sweep has no axis with scores yet"));
        Path out = ctx.outputDir();
        Path resultsFile = out.resolve(StageInputs.RESULTS_FILE);
        Path report = out.resolve("report.html");
        ResultsFile.write(resultsFile, report, merged, sections);
        result.counts.put("models", (long) models.size());
        result.artifacts.put("results", ctx.relative(resultsFile));
        result.artifacts.put("report", ctx.relative(report));
        return result;
    }
}
