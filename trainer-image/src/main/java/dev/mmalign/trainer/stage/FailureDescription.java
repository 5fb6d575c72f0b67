package dev.mmalign.trainer.stage;

/**
 * One-line description of an unexpected failure for result.json and the termination log: the error type and the
 * source file and line where it was thrown, then the message, e.g.
 * {@code UncheckedIOException at JsonlAppender.java:88: cannot append to /data/x.jsonl}.
 */
public final class FailureDescription {

    private FailureDescription() {}

    public static String of(Throwable error) {
        StringBuilder text = new StringBuilder(error.getClass().getSimpleName());
        StackTraceElement[] trace = error.getStackTrace();
        if (trace.length > 0 && trace[0].getFileName() != null) {
            text.append(" at ").append(trace[0].getFileName()).append(':').append(trace[0].getLineNumber());
        }
        if (error.getMessage() != null) {
            text.append(": ").append(error.getMessage());
        }
        Throwable cause = error.getCause();
        if (cause != null && cause != error && cause.getMessage() != null) {
            text.append(" (caused by ").append(cause.getClass().getSimpleName()).append(": ")
                    .append(cause.getMessage()).append(')');
        }
        return text.toString();
    }
}
