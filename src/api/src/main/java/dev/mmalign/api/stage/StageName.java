package dev.mmalign.api.stage;

/** The trainer's stages; each is a subcommand: {@code mmalign-trainer <stage> --spec /etc/mmalign/stage.json}. */
public enum StageName { sample, annotate, build, train, evaluate }
