package dev.mmalign.trainer.stage;

/**
 * Passes the stage's stop request (SIGTERM, see {@link StageLauncher}) on to the engine's own stop signal, which the
 * training loop checks at every optimiser step: the loop then saves a checkpoint and returns. A daemon thread polls,
 * because neither signal can notify the other.
 */
final class StopBridge implements AutoCloseable {

    private static final long POLL_MILLIS = 100;

    private final dev.mmalign.trainer.engine.train.StopSignal engine = new dev.mmalign.trainer.engine.train.StopSignal();
    private final Thread watcher;

    StopBridge(StopSignal stage) {
        if (stage.requested()) {
            engine.request(); // already asked: stop at the first step boundary, not a poll later
        }
        watcher = new Thread(() -> {
            try {
                while (!stage.requested()) {
                    Thread.sleep(POLL_MILLIS);
                }
                engine.request();
            } catch (InterruptedException e) {
                // closed: training has ended
            }
        }, "train-stop-bridge");
        watcher.setDaemon(true);
        watcher.start();
    }

    dev.mmalign.trainer.engine.train.StopSignal engineSignal() {
        return engine;
    }

    @Override
    public void close() {
        watcher.interrupt();
    }
}
