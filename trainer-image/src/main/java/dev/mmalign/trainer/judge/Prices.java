package dev.mmalign.trainer.judge;

import dev.mmalign.api.common.JudgeSpec;

import java.util.Locale;

/**
 * USD per million tokens. The spec's prices win; otherwise list prices of a few Gemini models (Vertex AI, standard
 * context, as published in 2025 — set the spec fields for exact billing); otherwise 0.
 */
public record Prices(double inputPerMillion, double outputPerMillion) {

    public static Prices of(JudgeSpec spec) {
        Prices builtIn = builtIn(spec.model);
        return new Prices(
                spec.inputPricePerMillionTokens != null ? spec.inputPricePerMillionTokens : builtIn.inputPerMillion,
                spec.outputPricePerMillionTokens != null ? spec.outputPricePerMillionTokens : builtIn.outputPerMillion);
    }

    static Prices builtIn(String model) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        if (m.startsWith("gemini-2.5-pro")) return new Prices(1.25, 10.0);
        if (m.startsWith("gemini-2.5-flash-lite")) return new Prices(0.10, 0.40);
        if (m.startsWith("gemini-2.5-flash")) return new Prices(0.30, 2.50);
        if (m.startsWith("gemini-2.0-flash")) return new Prices(0.15, 0.60);
        return new Prices(0, 0);
    }

    public double usd(long inputTokens, long outputTokens) {
        return inputTokens * inputPerMillion / 1e6 + outputTokens * outputPerMillion / 1e6;
    }
}
