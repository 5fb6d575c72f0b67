package dev.mmalign.validation;

/**
 * One reason an object is invalid, as kube-apiserver reports it in a Status's {@code details.causes}: the field path
 * ({@code spec.sampling.temperature}, {@code spec.models[0].name}), the cause type ({@code FieldValueInvalid},
 * {@code FieldValueRequired}, ...) and the message ({@code Invalid value: 50: ... should be less than or equal to 2}).
 */
public record Violation(String field, String reason, String message) {

    static Violation invalid(String field, Object value, String detail) {
        return new Violation(field, "FieldValueInvalid", "Invalid value: " + shown(value) + ": " + detail);
    }

    static Violation required(String field) {
        return new Violation(field, "FieldValueRequired", "Required value");
    }

    static Violation unsupported(String field, Object value, String supported) {
        return new Violation(field, "FieldValueNotSupported",
                "Unsupported value: " + shown(value) + ": supported values: " + supported);
    }

    static Violation duplicate(String field, Object value) {
        return new Violation(field, "FieldValueDuplicate", "Duplicate value: " + shown(value));
    }

    static Violation tooLong(String field, long max) {
        return new Violation(field, "FieldValueTooLong", "Too long: may not be more than " + max + " bytes");
    }

    static Violation tooMany(String field, int actual, long max) {
        return new Violation(field, "FieldValueTooMany",
                "Too many: " + actual + ": must have at most " + max + " items");
    }

    static Violation unknownField(String field) {
        return new Violation(field, "FieldValueUnknown", "unknown field \"" + field + "\"");
    }

    /** A value as kube-apiserver prints it: strings quoted, objects and arrays by their type, long strings cut. */
    static String shown(Object value) {
        if (value instanceof String s) {
            return "\"" + (s.length() > 64 ? s.substring(0, 64) + "...(" + s.length() + " bytes)" : s) + "\"";
        }
        return String.valueOf(value);
    }

    /** "field: message", the form kubectl prints and the bad-manifest tests match. */
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
