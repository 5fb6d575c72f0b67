package dev.mmalign.api.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

/**
 * Encodes a {@link StageResult} for /dev/termination-log, which Kubernetes caps at 4096 bytes: when the full result
 * does not fit, artifacts, then metrics, then counts are dropped, and finally the message is cut.
 */
public final class TerminationMessage {
    /** Kubernetes' limit on a container's termination message. */
    public static final int MAX_BYTES = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TerminationMessage() {}

    public static String encode(StageResult result) {
        StageResult r = copy(result);
        String json = write(r);
        if (fits(json)) return json;
        r.artifacts = new LinkedHashMap<>();
        json = write(r);
        if (fits(json)) return json;
        r.metrics = new LinkedHashMap<>();
        json = write(r);
        if (fits(json)) return json;
        r.counts = new LinkedHashMap<>();
        json = write(r);
        if (fits(json)) return json;
        // Keep the longest prefix of the message that fits; characters may take several bytes once encoded, so
        // search on the encoded size rather than guess from character counts.
        String message = r.message == null ? "" : r.message;
        int lo = 0;
        int hi = message.length();
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            r.message = message.substring(0, mid) + "…";
            if (fits(write(r))) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        r.message = message.substring(0, lo) + "…";
        return write(r);
    }

    public static StageResult decode(String message) throws JsonProcessingException {
        return JSON.readValue(message, StageResult.class);
    }

    private static boolean fits(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
    }

    private static StageResult copy(StageResult in) {
        return JSON.convertValue(in, StageResult.class);
    }

    private static String write(StageResult r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode stage result", e);
        }
    }
}
