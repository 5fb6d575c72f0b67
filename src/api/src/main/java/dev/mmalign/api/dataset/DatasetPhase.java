package dev.mmalign.api.dataset;

/** Where a PreferenceDataset is in its pipeline. */
public enum DatasetPhase { Pending, Sampling, Annotating, Building, Ready, Failed }
