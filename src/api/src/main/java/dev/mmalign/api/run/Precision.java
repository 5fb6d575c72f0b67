package dev.mmalign.api.run;

/** Numeric precision of training (fp32 is used on CPU whatever is asked). */
public enum Precision { bf16, fp16, fp32 }
