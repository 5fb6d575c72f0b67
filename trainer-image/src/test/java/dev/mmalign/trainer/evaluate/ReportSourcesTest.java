package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.trainer.report.Section;
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
        assertEquals(List.of("training", "dataset", "samples"), sections.stream().map(Section::id).toList());
        assertFalse(sections.get(0).isOmitted());
        assertTrue(sections.get(0).body().contains("base: no metrics.jsonl beside models/base"),
                sections.get(0).body());
        assertTrue(sections.get(1).omittedBecause().contains("paths.inputs.datasetRoot"));
        assertTrue(sections.get(2).isOmitted());
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
