package dev.mmalign.trainer.net;

/** Waiting, made replaceable so that tests of rate limits and backoff run without real delays. */
@FunctionalInterface
public interface Sleeper {

    void sleep(long millis) throws InterruptedException;

    Sleeper REAL = Thread::sleep;
}
