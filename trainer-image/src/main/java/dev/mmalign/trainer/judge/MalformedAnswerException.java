package dev.mmalign.trainer.judge;

/** The judge answered, but the answer cannot be used; the message says why (kept in the quarantine file). */
public class MalformedAnswerException extends Exception {
    public MalformedAnswerException(String reason) {
        super(reason);
    }
}
