package dev.mmalign.api.crd;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.sweep.AlignmentSweep;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Generates the CRDs of the four resources from their Java types with Fabric8's CRD generator. The generator sorts
 * printer columns by JSON path; we put them back in the order they are declared on the class, which is the order
 * {@code kubectl get} shows them in (Phase first, Age last).
 */
public final class CrdGeneration {

    /** The custom resources the project defines, in one place. */
    public static final List<Class<? extends HasMetadata>> RESOURCES =
            List.of(PreferenceDataset.class, AlignmentRun.class, BenchmarkSuite.class, AlignmentSweep.class);

    private CrdGeneration() {}

    /** Writes one {@code <plural>.<group>-v1.yml} per resource into {@code dir}; returns the files. */
    public static List<Path> generate(Path dir) throws IOException {
        Files.createDirectories(dir);
        new CRDGenerator()
                .customResourceClasses(RESOURCES)
                .forCRDVersions("v1")
                .withPostProcessor(new DeclaredColumnOrder())
                .inOutputDir(dir.toFile())
                .generate();
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yml")).sorted().toList();
        }
    }

    /** Re-orders additionalPrinterColumns as declared by {@link AdditionalPrinterColumn} on the resource class. */
    static final class DeclaredColumnOrder implements CRDPostProcessor {
        @Override
        public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            if (!(crd instanceof CustomResourceDefinition definition)) {
                return crd;
            }
            Class<?> type = RESOURCES.stream()
                    .filter(c -> HasMetadata.getKind(c).equals(definition.getSpec().getNames().getKind()))
                    .findFirst()
                    .orElseThrow();
            List<String> declared = Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::name)
                    .toList();
            for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
                List<CustomResourceColumnDefinition> columns = new ArrayList<>(version.getAdditionalPrinterColumns());
                columns.sort(Comparator.comparingInt(c -> declared.indexOf(c.getName())));
                version.setAdditionalPrinterColumns(columns);
            }
            return definition;
        }
    }

    /** Regenerates the committed crds/ folder: {@code mvn -pl src/api test -Dtest=CrdsUpToDateTest -Dmmalign.updateCrds=true}. */
    public static Map<String, Path> byFileName(List<Path> files) {
        java.util.LinkedHashMap<String, Path> out = new java.util.LinkedHashMap<>();
        files.forEach(f -> out.put(f.getFileName().toString(), f));
        return out;
    }
}
