package dev.mmalign.api.run;

/** Learning-rate schedule after warmup. */
public enum Scheduler { cosine, linear, constant }
