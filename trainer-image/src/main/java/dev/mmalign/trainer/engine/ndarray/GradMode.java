package dev.mmalign.trainer.engine.ndarray;

import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's autograd switch for a scope: {@code try (GradMode on = GradMode.set(true)) { … }} turns recording on
 * or off and restores the previous mode when the scope ends, however it ends. The mode is per thread — off on the
 * thread where DJL loaded the engine, on in every new thread — so code that runs on pool threads, or must record
 * nothing (a reference pass, a checkpointed replay), sets it explicitly rather than inheriting whatever was there.
 */
public final class GradMode implements AutoCloseable {

    private final boolean before;

    private GradMode(boolean on) {
        this.before = JniUtils.isGradMode();
        JniUtils.setGradMode(on);
    }

    /** Sets this thread's grad mode to {@code on} until {@link #close()}. */
    public static GradMode set(boolean on) {
        return new GradMode(on);
    }

    /** This thread's grad mode now. */
    public static boolean isOn() {
        return JniUtils.isGradMode();
    }

    /** The mode this scope replaced, restored on {@link #close()}. */
    public boolean before() {
        return before;
    }

    @Override
    public void close() {
        JniUtils.setGradMode(before);
    }
}
