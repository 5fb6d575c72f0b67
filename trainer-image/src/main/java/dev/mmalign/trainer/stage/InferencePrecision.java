package dev.mmalign.trainer.stage;

import dev.mmalign.api.run.Precision;
import dev.mmalign.trainer.data.InvalidInputException;

import java.nio.file.Path;

/**
 * The precision a generating stage (sample, evaluate) loads its model in, read from the spec field that names it:
 * fp16 (the default, as in training) stores the weights in fp16 on the device and computes in fp32 per use; fp32 keeps
 * everything fp32; bf16 is refused, naming the field, exactly as the train stage refuses it — never a crash in
 * libtorch, never a silent fallback.
 */
public final class InferencePrecision {

    private InferencePrecision() {}

    /** Whether weights are stored in fp16; {@code field} names the spec field for the error. */
    public static boolean halfWeights(Precision value, Path specFile, String field) {
        return switch (value == null ? Precision.fp16 : value) {
            case fp16 -> true;
            case fp32 -> false;
            // DJL 0.36 has no bfloat16 type: creating one aborts the JVM.
            case bf16 -> throw new InvalidInputException(specFile, field + ": bf16 is not supported by this engine "
                    + "(its PyTorch binding, DJL 0.36, has no bfloat16 tensors); use fp16 (weights stored in fp16, "
                    + "computed in fp32; bf16 checkpoints are converted at load) or fp32");
        };
    }
}
