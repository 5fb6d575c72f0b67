package dev.mmalign.api.run;

/** Where an AlignmentRun is. */
public enum RunPhase { Pending, WaitingForDataset, Queued, Training, Evaluating, Succeeded, Failed, Suspended }
