package dev.mmalign.operator.k8s;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** RFC 3339 times as Kubernetes writes them (seconds precision, UTC). */
public final class Times {
    private Times() {}

    public static String format(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Parses an RFC 3339 time; null when absent or malformed. */
    public static Instant parse(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
