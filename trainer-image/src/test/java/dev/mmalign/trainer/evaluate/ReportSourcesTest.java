package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.trainer.report.Section;
import dev.mmalign.trainer.stage.StageContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards that a missing or broken report input leaves its section out with a note and never throws. */
class ReportSourcesTest {

    @TempDir
    Path dir;

    @Test
    void withoutADatasetItsSectionsAreOmittedWithANote() throws Exception {
        ReportFixture fx = new ReportFixture(dir);
        List<Section> sections = ReportSources.sections(fx.context(false));
        assertEquals(List.of("training", "dataset", "agreement", "samples"), sections.stream().map(Section::id).toList());
        assertFalse(sections.get(0).isOmitted());
        assertTrue(sections.get(0).body().contains("base: no metrics.jsonl beside models/base"),
                sections.get(0).body());
        assertTrue(sections.get(1).omittedBecause().contains("reportDatasets"));
        assertTrue(sections.get(2).isOmitted());
        assertTrue(sections.get(3).isOmitted());
    }

    /** Guards the agreement section's input: the build stage's agreement.json beside the dataset's annotations, its
     * figures and confusion counts shown, an undefined correlation as a dash; without the file, a note. */
    @Test
    void agreementIsReadFromTheDatasetsAgreementFile() throws Exception {
        Path datasetRoot = dir.resolve("ds");
        Files.createDirectories(datasetRoot.resolve("annotations"));
        StageContext ctx = ReportFixture.contextAt(dir, true);
        assertTrue(ReportSources.agreement(ctx, datasetRoot).omittedBecause().contains("humanRatings"));

        Files.writeString(datasetRoot.resolve("annotations").resolve(ArtifactLayout.AGREEMENT_FILE), """
                {"humanRatings": "human.jsonl", "attributes": {
                  "helpfulness": {"n": 5, "exactMatch": 0.4, "withinOne": 1.0, "spearman": 0.865181,
                                  "pearson": 0.825723, "confusion": [[1,0,0,0,0],[0,0,1,0,0],[0,0,1,1,0],
                                                                     [0,0,0,0,0],[0,0,0,1,0]]},
                  "verbosity": {"n": 5, "exactMatch": 1.0, "withinOne": 1.0,
                                "confusion": [[0,0,0,0,0],[0,0,0,0,0],[0,0,5,0,0],[0,0,0,0,0],[0,0,0,0,0]]}}}
                """);
        Section s = ReportSources.agreement(ctx, datasetRoot);
        assertFalse(s.isOmitted(), s.toString());
        assertTrue(s.body().contains("<td>0.865</td><td>0.826</td>"), s.body());
        assertTrue(s.body().contains("data-count=\"1\""), s.body());
        assertTrue(s.body().contains("<td>1.000</td><td>1.000</td><td>–</td><td>–</td>"), "verbosity never varies: "
                + s.body());
    }

    @Test
    void aBrokenMetricsLogIsANoteNamingFileAndLine() throws Exception {
        ReportFixture fx = new ReportFixture(dir);
        Files.writeString(dir.resolve(ArtifactLayout.runMetrics("sft")), "{\"loss\":1}\n", StandardOpenOption.APPEND);
        Section training = ReportSources.training(fx.context(true));
        assertTrue(training.body().contains("data-run=\"dpo\""), "the good run is still drawn");
        assertTrue(training.body().contains("sft: ") && training.body().contains(":8"), training.body());
    }

    @Test
    void noInputAtAllStillRenders() {
        List<Section> sections = ReportSources.sections(ReportFixture.contextAt(dir, true));
        assertTrue(sections.stream().allMatch(Section::isOmitted), sections.toString());
    }
}
