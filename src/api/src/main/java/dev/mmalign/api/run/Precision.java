package dev.mmalign.api.run;

/**
 * Numeric precision of training, as the trainer honours it on every device: fp16 = frozen weights stored in fp16,
 * all else and all arithmetic fp32; fp32 = everything fp32; bf16 = refused by the train stage (exit 2) until the
 * engine has bfloat16 tensors (DJL 0.36 has none).
 */
public enum Precision { bf16, fp16, fp32 }
