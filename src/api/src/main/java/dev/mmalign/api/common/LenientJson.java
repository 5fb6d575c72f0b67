package dev.mmalign.api.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Reads a stored spec or status into its typed class without ever failing: the operator's informers deserialise every
 * object of a kind through one watch, and a single object that does not fit the Java type (a schema-less install, an
 * older or newer CRD, local mode) would otherwise stop that watch for every object of the kind.
 *
 * <p>What a real API server does to a stored object before validation is mirrored: unknown fields are dropped and
 * {@code null}s are dropped (so the field's default applies). A value of the wrong type is dropped too, so the rest
 * can still be read, and reported as a problem naming its path and value, e.g.
 * {@code spec.sampling.temperature: "hot" is not a number}. Types are strict where Jackson would guess: a string is
 * not read as a number or boolean, and 2.5 is not truncated to the integer 2.
 */
public final class LenientJson {

    /** At most this many problems are reported (and values dropped) before giving up on the object. */
    static final int MAX_PROBLEMS = 20;
    /** A value quoted in a problem is elided to this many characters: specs may hold megabyte strings. */
    public static final int MAX_QUOTED = 80;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /**
     * What was read: the typed value (never null: {@code empty} where nothing fits) and the problems found, each
     * "path: problem". No problems means the value is a faithful reading of the JSON (less unknown fields).
     */
    public record Result<T>(T value, List<String> problems) {}

    private LenientJson() {}

    /**
     * Reads {@code json} as a {@code type}; {@code root} names it in problems ("spec", "status").
     *
     * @param empty the value used when {@code json} is no object at all
     */
    public static <T> Result<T> read(JsonNode json, String root, Class<T> type, Supplier<T> empty) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            return new Result<>(empty.get(), List.of());
        }
        if (!json.isObject()) {
            return new Result<>(empty.get(), List.of(root + ": " + quote(json) + " is not an object"));
        }
        JsonNode copy = json.deepCopy();
        dropNulls(copy);
        List<String> problems = new ArrayList<>();
        while (true) {
            try {
                return new Result<>(STRICT.treeToValue(copy, type), List.copyOf(problems));
            } catch (JsonMappingException e) {
                List<JsonMappingException.Reference> path = e.getPath();
                JsonNode bad = path.isEmpty() ? null : locate(copy, path);
                if (bad == null || problems.size() >= MAX_PROBLEMS || !remove(copy, path)) {
                    // Nothing left to drop: report the failure as it is and read nothing.
                    problems.add(pathOf(root, path) + ": " + elide(e.getOriginalMessage()));
                    return new Result<>(empty.get(), List.copyOf(problems));
                }
                problems.add(pathOf(root, path) + ": " + quote(bad) + " " + expectation(e));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                problems.add(root + ": " + elide(String.valueOf(e.getMessage())));
                return new Result<>(empty.get(), List.copyOf(problems));
            }
        }
    }

    /** {@code text} cut to about {@link #MAX_QUOTED} characters (see {@link #elide(String, int)}). */
    public static String elide(String text) {
        return elide(text, MAX_QUOTED);
    }

    /**
     * {@code text} cut to about {@code max} characters in the middle, saying how many were left out: the start and
     * the end of a message usually both matter ("model name xxx…xxx is not a DNS label").
     */
    public static String elide(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int tail = max / 4;
        int head = max - tail;
        return text.substring(0, head) + "…(" + (text.length() - max) + " characters left out)…"
                + text.substring(text.length() - tail);
    }

    private static String quote(JsonNode value) {
        return elide(value.toString());
    }

    /** What the type wanted, in the words of a schema: "is not a number", "is not one of DPO, SFT". */
    private static String expectation(JsonMappingException e) {
        Class<?> t = e instanceof MismatchedInputException m ? m.getTargetType() : null;
        if (t == null) {
            return "is invalid: " + elide(e.getOriginalMessage());
        }
        if (t.isEnum()) {
            return "is not one of " + Arrays.stream(t.getEnumConstants()).map(c -> ((Enum<?>) c).name())
                    .collect(Collectors.joining(", "));
        }
        if (t == Integer.class || t == Long.class || t == Short.class || t == BigInteger.class || t == int.class
                || t == long.class || t == short.class) {
            return "is not an integer";
        }
        if (Number.class.isAssignableFrom(t) || t == double.class || t == float.class || t == BigDecimal.class) {
            return "is not a number";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "is not true or false";
        }
        if (t == String.class) {
            return "is not a string";
        }
        if (t.isArray() || Collection.class.isAssignableFrom(t)) {
            return "is not a list";
        }
        if (Map.class.isAssignableFrom(t) || !t.getName().startsWith("java.")) {
            return "is not an object";
        }
        return "is not a " + t.getSimpleName();
    }

    /** A Kubernetes-style field path: spec.sampling.temperature, spec.attributes[2].name. */
    static String pathOf(String root, List<JsonMappingException.Reference> path) {
        StringBuilder s = new StringBuilder(root);
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                s.append('.').append(elide(r.getFieldName()));
            } else if (r.getIndex() >= 0) {
                s.append('[').append(r.getIndex()).append(']');
            }
        }
        return s.toString();
    }

    private static JsonNode locate(JsonNode node, List<JsonMappingException.Reference> path) {
        JsonNode at = node;
        for (JsonMappingException.Reference r : path) {
            if (at == null) {
                return null;
            }
            at = r.getFieldName() != null ? at.get(r.getFieldName()) : at.get(r.getIndex());
        }
        return at;
    }

    /** Drops the value at {@code path}; false when it cannot be found. */
    private static boolean remove(JsonNode node, List<JsonMappingException.Reference> path) {
        JsonNode parent = locate(node, path.subList(0, path.size() - 1));
        JsonMappingException.Reference last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode o && last.getFieldName() != null) {
            return o.remove(last.getFieldName()) != null;
        }
        if (parent instanceof ArrayNode a && last.getFieldName() == null && last.getIndex() >= 0
                && last.getIndex() < a.size()) {
            a.remove(last.getIndex());
            return true;
        }
        return false;
    }

    /** As kube-apiserver prunes them: a null field is absent, so its default applies. */
    private static void dropNulls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isNull()) {
                    it.remove();
                } else {
                    dropNulls(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode a) {
            a.forEach(LenientJson::dropNulls);
        }
    }
}
