package dev.mmalign.trainer.sample;

/**
 * A chat-completions request that did not give completions. {@code retryable}: a 429, a 408, a 5xx, a timeout, a
 * dropped connection or an unreadable body, worth another try; otherwise the server refused the request itself (a
 * wrong model name, URL or key) and every retry would be refused too.
 */
final class EndpointCallException extends Exception {

    final boolean retryable;
    /** What the server's Retry-After asked for, in milliseconds; -1 when it said nothing. */
    final long retryAfterMillis;

    EndpointCallException(boolean retryable, String message, long retryAfterMillis, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.retryAfterMillis = retryAfterMillis;
    }

    static boolean retryableStatus(int status) {
        return status == 429 || status == 408 || status >= 500;
    }
}
