package dev.mmalign.trainer.judge;

import dev.mmalign.trainer.data.Usage;

/**
 * The judge kept failing transiently (429, 5xx, timeouts) through every retry. Carries what the attempts cost, so
 * that a caller who sets the item aside still accounts for every request sent.
 */
public class JudgeUnavailableException extends Exception {

    private final Usage usage;
    private final int attempts;

    public JudgeUnavailableException(String message, Throwable cause, Usage usage, int attempts) {
        super(message, cause);
        this.usage = usage;
        this.attempts = attempts;
    }

    public Usage usage() {
        return usage;
    }

    public int attempts() {
        return attempts;
    }
}
