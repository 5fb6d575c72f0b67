package dev.mmalign.operator.dataset;

import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.common.SchemaPatterns;
import dev.mmalign.api.dataset.PreferenceDatasetSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a PreferenceDataset's spec (pure). The CRD's schema and CEL rules reject most of this at admission; the
 * operator checks again because not every cluster runs them (and the test API server runs none).
 */
public final class DatasetValidator {

    private DatasetValidator() {}

    public static List<String> validate(PreferenceDatasetSpec spec) {
        List<String> errors = new ArrayList<>();
        if (spec == null) {
            return List.of("spec is missing");
        }
        if (spec.storage == null || blank(spec.storage.claimName)) {
            errors.add("spec.storage.claimName is required");
        }
        if (spec.prompts == null) {
            errors.add("spec.prompts is required");
        } else if (blank(spec.prompts.path) == (spec.prompts.sources == null || spec.prompts.sources.isEmpty())) {
            errors.add("spec.prompts: set exactly one of path and sources");
        }
        if (spec.sampling == null || spec.sampling.model == null) {
            errors.add("spec.sampling.model is required");
        } else {
            if (blank(spec.sampling.model.path) == blank(spec.sampling.model.alignmentRun)) {
                errors.add("spec.sampling.model: set exactly one of path and alignmentRun");
            }
            if (spec.sampling.completionsPerPrompt != null && spec.sampling.completionsPerPrompt < 2) {
                errors.add("spec.sampling.completionsPerPrompt must be at least 2 (pairs need two)");
            }
            if (spec.sampling.shards != null && spec.sampling.shards < 1) {
                errors.add("spec.sampling.shards must be at least 1");
            }
            var endpoint = spec.sampling.endpoint;
            if (endpoint != null) {
                if (blank(endpoint.url) || !endpoint.url.matches(SchemaPatterns.HTTP_URL)) {
                    errors.add("spec.sampling.endpoint.url must be an http(s) URL");
                }
                if (blank(endpoint.model)) {
                    errors.add("spec.sampling.endpoint.model is required");
                }
            }
        }
        if (spec.annotation == null || spec.annotation.provider == null) {
            errors.add("spec.annotation.provider is required");
        } else {
            var a = spec.annotation;
            if (a.provider == JudgeProvider.VERTEX_GEMINI && (blank(a.project) || blank(a.location))) {
                errors.add("spec.annotation: provider vertex-gemini requires project and location");
            }
            if (a.provider == JudgeProvider.OPENAI_COMPATIBLE && blank(a.endpoint)) {
                errors.add("spec.annotation: provider openai-compatible requires endpoint");
            }
            if (a.provider == JudgeProvider.IMPORT && blank(a.importPath)) {
                errors.add("spec.annotation: provider import requires importPath");
            }
            if ((a.provider == JudgeProvider.VERTEX_GEMINI || a.provider == JudgeProvider.OPENAI_COMPATIBLE)
                    && blank(a.model)) {
                errors.add("spec.annotation: provider " + a.provider.wireName() + " requires model");
            }
            if (a.shards != null && a.shards < 1) {
                errors.add("spec.annotation.shards must be at least 1");
            }
            if (a.credentials != null && a.credentials.secretRef != null && a.credentials.gcpServiceAccount != null) {
                errors.add("spec.annotation.credentials: set at most one of secretRef and gcpServiceAccount");
            }
        }
        return errors;
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
