package dev.mmalign.trainer.judge;

/** A judge call that failed, classified by what to do about it. */
public class JudgeCallException extends Exception {

    public enum Kind {
        /** 429, 5xx, timeouts, connection errors: retry after a backoff. */
        TRANSIENT,
        /** A 200 answer whose body or content is unusable (not JSON, truncated, no text): retry, then quarantine. */
        MALFORMED,
        /** Any other 4xx (bad model name, no permission): retrying cannot help; a configuration error. */
        FATAL
    }

    private final Kind kind;
    /** The server's Retry-After in milliseconds, or -1 when it gave none. */
    private final long retryAfterMillis;

    public JudgeCallException(Kind kind, String message, Throwable cause) {
        this(kind, message, cause, -1);
    }

    public JudgeCallException(Kind kind, String message, Throwable cause, long retryAfterMillis) {
        super(message, cause);
        this.kind = kind;
        this.retryAfterMillis = retryAfterMillis;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    public JudgeCallException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The kind for an HTTP status of a failed call. */
    public static Kind kindOfStatus(int status) {
        return status == 429 || status == 408 || status >= 500 ? Kind.TRANSIENT : Kind.FATAL;
    }
}
