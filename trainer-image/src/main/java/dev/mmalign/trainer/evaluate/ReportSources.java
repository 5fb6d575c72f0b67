package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.dataset.JudgeAgreementFile;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ReportDataset;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.sweep.SweepTable;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.DatasetReader;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.report.AgreementSection;
import dev.mmalign.trainer.report.DatasetSection;
import dev.mmalign.trainer.report.InlineImages;
import dev.mmalign.trainer.report.SampleBrowserSection;
import dev.mmalign.trainer.report.Section;
import dev.mmalign.trainer.report.StepMetrics;
import dev.mmalign.trainer.report.SweepSection;
import dev.mmalign.trainer.report.TrainingCurvesSection;
import dev.mmalign.trainer.stage.StageContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the report's inputs from what the evaluate spec knows and renders their sections: each model's training
 * metrics log beside its adapter folder (or, with no adapter, beside its model folder: a fully fine-tuned run's
 * merged/), and each dataset of {@code reportDatasets} (annotations, sets/dpo.jsonl, prompts, completions, images
 * under its {@code imageRoot} or the storage root), in sections labelled with its name and its models. A missing or
 * unreadable input leaves its section out with a note: the report never fails the stage.
 */
final class ReportSources {

    private ReportSources() {}

    static List<Section> sections(StageContext ctx) {
        List<Section> out = new ArrayList<>();
        out.add(training(ctx));
        List<ReportDataset> datasets = ctx.spec().reportDatasets == null ? List.of() : ctx.spec().reportDatasets;
        if (datasets.isEmpty()) {
            String why = "no model trained on a PreferenceDataset (reportDatasets is empty)";
            out.add(Section.omitted(DatasetSection.ID, DatasetSection.TITLE, why));
            out.add(Section.omitted(AgreementSection.ID, AgreementSection.TITLE, why));
            out.add(Section.omitted(SampleBrowserSection.ID, SampleBrowserSection.TITLE, why));
            return out;
        }
        // One dataset keeps the plain anchors (#dataset, ...); several get the dataset's name (a DNS name) in theirs.
        boolean several = datasets.size() > 1;
        for (int i = 0; i < datasets.size(); i++) {
            out.addAll(dataset(ctx, datasets.get(i), i, several));
        }
        return out;
    }

    /** A dataset's three sections, labelled with its name and the models trained on it. */
    private static List<Section> dataset(StageContext ctx, ReportDataset d, int index, boolean several) {
        String name = d.name == null || d.name.isBlank() ? "dataset " + (index + 1) : d.name;
        String suffix = several ? "-" + name : "";
        String label = ": " + name;
        List<String> models = d.models == null ? List.of() : d.models;
        String field = "reportDatasets[" + index + "]";
        Path root;
        String why = null;
        try {
            root = d.root == null ? null : ctx.resolve(d.root, field + ".root");
        } catch (RuntimeException e) {
            root = null;
            why = e.getMessage();
        }
        if (why == null && root == null) {
            why = "dataset " + name + " is on another claim than the suite's, which the report cannot read";
        } else if (why == null && !Files.isDirectory(root)) {
            why = "no dataset folder at " + ctx.relative(root);
        }
        List<Section> sections;
        if (why != null) {
            String trained = models.isEmpty() ? "" : " (trained on by " + String.join(", ", models) + ")";
            sections = List.of(Section.omitted(DatasetSection.ID, DatasetSection.TITLE, why + trained),
                    Section.omitted(AgreementSection.ID, AgreementSection.TITLE, why),
                    Section.omitted(SampleBrowserSection.ID, SampleBrowserSection.TITLE, why));
        } else {
            sections = datasetSections(ctx, root, name, models, imageRoot(ctx, d, field));
        }
        List<Section> out = new ArrayList<>();
        for (Section s : sections) out.add(s.labelled(s.id() + suffix, s.title() + label));
        return out;
    }

    /** The folder the dataset's prompt images are relative to; the storage root when unset or invalid. */
    private static Path imageRoot(StageContext ctx, ReportDataset d, String field) {
        try {
            return d.imageRoot == null ? ctx.storageRoot() : ctx.resolve(d.imageRoot, field + ".imageRoot");
        } catch (RuntimeException e) {
            return ctx.storageRoot(); // the samples' images then fail inside the claim check, each with its note
        }
    }

    /**
     * A sweep's tables (as the operator computed them for the sweep's status) in the sweep section's shape: per axis,
     * its values and, per metric column, the mean score at each value (null where no run with it was scored), with
     * the baseline model's scores as the reference.
     */
    static List<SweepSection.AxisTable> sweepAxes(List<SweepTable> tables) {
        List<SweepSection.AxisTable> out = new ArrayList<>();
        for (SweepTable t : tables) {
            if (t == null || t.axis == null || t.rows == null) continue;
            List<String> values = new ArrayList<>();
            Map<String, List<Double>> metrics = new LinkedHashMap<>();
            if (t.metrics != null) t.metrics.forEach(m -> metrics.put(m, new ArrayList<>()));
            for (SweepTable.Row r : t.rows) {
                values.add(r.value);
                metrics.forEach((m, column) -> column.add(r.scores == null ? null : r.scores.get(m)));
            }
            out.add(new SweepSection.AxisTable(t.axis, values, metrics, t.baselineModel,
                    t.baseline == null ? Map.of() : t.baseline));
        }
        return out;
    }

    static Section training(StageContext ctx) {
        Map<String, List<StepMetrics>> runs = new LinkedHashMap<>();
        Map<String, String> missing = new LinkedHashMap<>();
        Set<Path> seen = new HashSet<>();
        for (ResolvedModel m : ctx.spec().models) {
            try {
                String folder = m.adapterPath != null ? m.adapterPath : m.path;
                Path runDir = ctx.resolve(folder, "models[" + m.name + "]").getParent();
                Path log = runDir == null ? null : runDir.resolve(ArtifactLayout.METRICS_LOG);
                if (log == null || !Files.isRegularFile(log)) {
                    missing.put(m.name, "no " + ArtifactLayout.METRICS_LOG + " beside " + folder);
                } else if (seen.add(log)) {
                    runs.put(m.name, StepMetrics.read(log));
                }
            } catch (Exception e) {
                missing.put(m.name, String.valueOf(e.getMessage()));
            }
        }
        return TrainingCurvesSection.render(runs, missing);
    }

    private static List<Section> datasetSections(StageContext ctx, Path root, String name, List<String> models,
                                                 Path imageRoot) {
        List<String> notes = new ArrayList<>();
        Map<String, AnnotationRecord> annotations = new LinkedHashMap<>();
        List<DpoPairRecord> pairs = new ArrayList<>();
        try {
            annotations = DatasetReader.annotations(root.resolve("annotations"));
        } catch (RuntimeException e) {
            notes.add("annotations: " + e.getMessage());
        }
        Path dpo = root.resolve("sets/dpo.jsonl");
        try {
            if (Files.isRegularFile(dpo)) pairs = JsonlReader.readAll(dpo, DpoPairRecord.class, null);
            else notes.add("no DPO set at " + ctx.relative(dpo));
        } catch (RuntimeException e) {
            notes.add("DPO set: " + e.getMessage());
        }
        Section data = DatasetSection.render(name, models, new ArrayList<>(annotations.values()), pairs, notes);
        return List.of(data, agreement(ctx, root), samples(ctx, root, imageRoot, annotations, pairs));
    }

    /** The judge-human agreement the build stage wrote beside the annotations (annotation.humanRatings), if any. */
    static Section agreement(StageContext ctx, Path datasetRoot) {
        Path file = datasetRoot.resolve("annotations").resolve(ArtifactLayout.AGREEMENT_FILE);
        if (!Files.isRegularFile(file)) {
            return AgreementSection.render(List.of(), "no " + ctx.relative(file)
                    + " (the dataset sets no annotation.humanRatings)");
        }
        try {
            JudgeAgreementFile read = Json.MAPPER.readValue(file.toFile(), JudgeAgreementFile.class);
            List<AgreementSection.AttributeAgreement> rows = new ArrayList<>();
            read.attributes.forEach((attribute, a) -> rows.add(new AgreementSection.AttributeAgreement(attribute,
                    a.n == null ? 0 : a.n, orNaN(a.exactMatch), orNaN(a.withinOne), orNaN(a.spearman),
                    orNaN(a.pearson), confusion(a.confusion))));
            return AgreementSection.render(rows, "agreement.json names no attribute");
        } catch (Exception e) {
            return Section.omitted(AgreementSection.ID, AgreementSection.TITLE,
                    ctx.relative(file) + ": " + e.getMessage());
        }
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v; // undefined, e.g. a correlation where one side is constant
    }

    private static long[][] confusion(List<List<Long>> rows) {
        long[][] out = new long[5][5];
        for (int i = 0; rows != null && i < Math.min(5, rows.size()); i++) {
            for (int j = 0; rows.get(i) != null && j < Math.min(5, rows.get(i).size()); j++) {
                Long c = rows.get(i).get(j);
                out[i][j] = c == null ? 0 : c;
            }
        }
        return out;
    }

    /** The first prompts (file order) that have a DPO pair, else the first rated ones. */
    private static Section samples(StageContext ctx, Path root, Path imageRoot,
                                   Map<String, AnnotationRecord> annotations, List<DpoPairRecord> pairs) {
        try {
            Map<String, JsonlReader.Line<PromptRecord>> prompts = DatasetReader.prompts(root.resolve("prompts.jsonl"));
            Map<String, List<CompletionRecord>> completions = DatasetReader.completions(root.resolve("completions"),
                    prompts);
            Map<String, DpoPairRecord> pairByPrompt = new LinkedHashMap<>();
            pairs.forEach(p -> pairByPrompt.putIfAbsent(p.id(), p));
            List<String> ids = new ArrayList<>();
            for (String id : prompts.keySet()) if (pairByPrompt.containsKey(id)) ids.add(id);
            if (ids.isEmpty()) ids.addAll(completions.keySet());
            List<SampleBrowserSection.Sample> samples = new ArrayList<>();
            for (String id : ids) {
                if (samples.size() == SampleBrowserSection.MAX_SAMPLES) break;
                PromptRecord p = prompts.get(id).value();
                String url = null;
                String note = null;
                if (p.hasImage()) {
                    try {
                        // Inside the claim only, as every stage resolves data images.
                        url = InlineImages.dataUrl(ctx.claim().resolve(imageRoot, p.image(), "image of prompt " + id));
                    } catch (Exception e) {
                        note = "image left out: " + e.getMessage();
                    }
                }
                List<SampleBrowserSection.RatedCompletion> rated = new ArrayList<>();
                String reasoning = null;
                for (CompletionRecord c : completions.getOrDefault(id, List.of())) {
                    AnnotationRecord a = annotations.get(c.completionId());
                    rated.add(new SampleBrowserSection.RatedCompletion(c.completionId(), c.text(),
                            a == null ? Map.of() : a.ratings()));
                    if (reasoning == null && a != null) reasoning = a.reasoning();
                }
                DpoPairRecord pair = pairByPrompt.get(id);
                samples.add(new SampleBrowserSection.Sample(id, p.question(), url, note, rated, reasoning,
                        pair == null ? null : pair.chosen(), pair == null ? null : pair.rejected()));
            }
            return SampleBrowserSection.render(samples, "the dataset has no completions");
        } catch (RuntimeException e) {
            return Section.omitted(SampleBrowserSection.ID, SampleBrowserSection.TITLE, String.valueOf(e.getMessage()));
        }
    }
}
