package dev.mmalign.trainer.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

/**
 * Describes a JSON error by where and what kind, never by quoting the input: Jackson's messages quote the offending
 * token or value, which would echo a line of whatever file a path pointed at into a status condition.
 */
public final class JsonProblems {

    private JsonProblems() {}

    public static String describe(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return "field " + fieldPath(mapping) + " has the wrong type or value";
        }
        JsonLocation at = e.getLocation();
        return at == null || at.getColumnNr() < 1 ? "not valid JSON" : "not valid JSON (column " + at.getColumnNr() + ")";
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) path.append('.');
                path.append(ClaimPaths.shown(ref.getFieldName()).replace("'", "\""));
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
