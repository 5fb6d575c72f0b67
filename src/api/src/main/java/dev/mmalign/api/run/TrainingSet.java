package dev.mmalign.api.run;

/** The training sets a PreferenceDataset builds (names as in its status.artifacts). */
public enum TrainingSet { dpo, rejectionSampling, steerLM, goldSFT }
