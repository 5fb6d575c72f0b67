package dev.mmalign.trainer.net;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/**
 * Parses an HTTP {@code Retry-After} header (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date. A server that
 * says how long to wait knows its quota better than our backoff guess, and retrying sooner only earns another 429.
 */
public final class RetryAfter {

    /** Longest wait honoured; a server asking for more gets this, then the retry (a pod should not sleep an hour). */
    public static final long MAX_MILLIS = 300_000;

    private RetryAfter() {}

    /** The wait in milliseconds, capped at {@link #MAX_MILLIS}; empty when the header is absent or unreadable. */
    public static OptionalLong millis(String header, Clock clock) {
        if (header == null || header.isBlank()) {
            return OptionalLong.empty();
        }
        String value = header.trim();
        long millis;
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                millis = Math.multiplyExact(Long.parseLong(value), 1000L);
            } catch (ArithmeticException | NumberFormatException e) {
                millis = MAX_MILLIS;
            }
        } else {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                millis = Math.max(0, Duration.between(clock.instant(), at).toMillis());
            } catch (DateTimeParseException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(Math.min(MAX_MILLIS, millis));
    }
}
