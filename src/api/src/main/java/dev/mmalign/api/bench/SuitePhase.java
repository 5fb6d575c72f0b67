package dev.mmalign.api.bench;

/** Where a BenchmarkSuite is. */
public enum SuitePhase { Pending, WaitingForModels, Running, Succeeded, Failed }
