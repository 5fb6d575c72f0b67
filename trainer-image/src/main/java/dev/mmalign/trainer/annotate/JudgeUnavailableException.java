package dev.mmalign.trainer.annotate;

/** The judge kept failing transiently (429, 5xx, timeouts) through every retry: retry the stage later. */
public class JudgeUnavailableException extends Exception {
    public JudgeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
