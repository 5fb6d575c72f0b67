package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.ExitCodes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards what the shutdown hook does on SIGTERM, called directly (the same path as the signal, without ending the test
 * JVM): the work is asked to stop, the hook waits until the work has ended, and the process ends with the work's own
 * exit code; work that does not end within the grace period leaves the JVM to exit as signalled.
 */
class ShutdownStopTest {

    @Test
    void theSignalStopsTheWorkAndTheProcessEndsWithItsExitCode() throws Exception {
        StopSignal stop = new StopSignal();
        List<Integer> halted = new ArrayList<>();
        ShutdownStop onSignal = new ShutdownStop("t", stop, 600, halted::add);
        CountDownLatch working = new CountDownLatch(1);
        Thread work = new Thread(() -> {
            working.countDown();
            while (!stop.requested()) {
                Thread.onSpinWait(); // a unit of work, then the check a stage makes between units
            }
            onSignal.finished(ExitCodes.INTERRUPTED);
        });
        work.start();
        assertTrue(working.await(60, TimeUnit.SECONDS));
        onSignal.onSignal(); // returns once the work has ended: it waits for finished()
        assertEquals(List.of(ExitCodes.INTERRUPTED), halted);
        work.join(60_000);
        assertFalse(work.isAlive());
    }

    /** Work that was done when the signal came ends the process with 0, not the retryable 143. */
    @Test
    void workThatCompletedExitsWithItsOwnCode() {
        StopSignal stop = new StopSignal();
        List<Integer> halted = new ArrayList<>();
        ShutdownStop onSignal = new ShutdownStop("t", stop, 600, halted::add);
        onSignal.finished(0);
        onSignal.onSignal();
        assertTrue(stop.requested());
        assertEquals(List.of(0), halted);
    }

    /** Work that does not end within the grace period: no halt, the JVM goes on exiting as signalled (143). */
    @Test
    void workThatDoesNotEndInTimeIsNotWaitedForBeyondTheGracePeriod() {
        StopSignal stop = new StopSignal();
        List<Integer> halted = new ArrayList<>();
        new ShutdownStop("t", stop, 0, halted::add).onSignal();
        assertTrue(stop.requested());
        assertEquals(List.of(), halted);
    }
}
