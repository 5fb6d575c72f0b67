package dev.mmalign.trainer.progress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.api.common.Progress;

/** Progress as one JSON line (the file and stdout reporters' format). */
final class ProgressJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProgressJson() {}

    static String line(Progress progress) {
        try {
            return JSON.writeValueAsString(progress);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode progress", e);
        }
    }
}
