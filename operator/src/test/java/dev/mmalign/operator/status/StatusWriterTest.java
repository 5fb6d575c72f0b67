package dev.mmalign.operator.status;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards what one status write sends: only what the reconcile changed, never a pod-owned field it left as read (so a
 * pod's report written after the reconcile read the resource survives, whatever the interleaving), the operator's own
 * changes to a pod-owned field key by key, removals, and JSON patch operations that name fields, never list indexes.
 */
class StatusWriterTest {

    private static final List<String> POD_OWNED = List.of("progress", "metrics");

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void nothingChangedSendsNothing() {
        Map<String, Object> read = map("phase", "Training", "progress", map("current", 10));
        assertTrue(StatusWriter.changes(read, new HashMap<>(read), POD_OWNED).isEmpty());
    }

    @Test
    void podOwnedFieldsLeftAsReadAreNotSent() {
        // The reconcile read no progress (the pod had not reported yet) and did not touch it: the patch must not
        // carry progress at all, or it would delete what the pod reports between the read and the write.
        Map<String, Object> read = map("phase", "Pending");
        Map<String, Object> mine = map("phase", "Training", "stages", List.of(map("name", "train")));
        Map<String, Object> patch = StatusWriter.changes(read, mine, POD_OWNED);
        assertEquals(map("phase", "Training", "stages", List.of(map("name", "train"))), patch);
        assertFalse(patch.containsKey("progress"));
        assertFalse(patch.containsKey("metrics"));
    }

    @Test
    void operatorChangesToAPodOwnedFieldAreSentKeyByKey() {
        // Training finished: the operator marks progress 100% but leaves the pod's other keys to the pod.
        Map<String, Object> read = map("phase", "Training",
                "progress", map("stage", "train", "current", 90, "total", 100, "percent", 90.0, "etaSeconds", 12));
        Map<String, Object> mine = map("phase", "Training",
                "progress", map("stage", "train", "current", 100, "total", 100, "percent", 100.0, "etaSeconds", 0));
        Map<String, Object> patch = StatusWriter.changes(read, mine, POD_OWNED);
        assertEquals(map("progress", map("current", 100, "percent", 100.0, "etaSeconds", 0)), patch);
    }

    @Test
    void removedFieldsBecomeNullsAndListsGoWhole() {
        Map<String, Object> read = map("phase", "Failed", "completionTime", "2026-01-01T00:00:00Z",
                "output", map("adapterPath", "/a", "mergedPath", "/m"),
                "conditions", List.of(map("type", "Failed", "status", "True")));
        Map<String, Object> mine = map("phase", "Training", "output", map("adapterPath", "/a"),
                "conditions", List.of(map("type", "Failed", "status", "False"), map("type", "Ready", "status",
                        "False")));
        Map<String, Object> patch = StatusWriter.changes(read, mine, POD_OWNED);
        assertEquals("Training", patch.get("phase"));
        assertTrue(patch.containsKey("completionTime"));
        assertNull(patch.get("completionTime"), "a merge patch deletes a key by null");
        Map<String, Object> output = new HashMap<>();
        output.put("mergedPath", null);
        assertEquals(output, patch.get("output"));
        assertEquals(mine.get("conditions"), patch.get("conditions"), "lists are replaced whole");
    }

    @Test
    void aPodOwnedFieldTheOperatorDropsIsDeleted() {
        Map<String, Object> read = map("phase", "Training", "metrics", map("loss", 0.5));
        Map<String, Object> mine = map("phase", "Training");
        Map<String, Object> patch = StatusWriter.changes(read, mine, POD_OWNED);
        assertTrue(patch.containsKey("metrics"));
        assertNull(patch.get("metrics"));
    }

    @Test
    void operationsSetFieldsReplaceListsWholeAndDescendOnlyIntoMapsThatWereRead() {
        Map<String, Object> read = map("phase", "Training", "completionTime", "t",
                "progress", map("current", 90, "percent", 90.0),
                "breakdown", map("a/b~c", 1),
                "conditions", List.of(map("type", "Ready")));
        Map<String, Object> mine = map("phase", "Succeeded",
                "progress", map("current", 100, "percent", 100.0),
                "breakdown", map("a/b~c", 2),
                "conditions", List.of(map("type", "Ready"), map("type", "Failed")),
                "output", map("adapterPath", "/a"));
        List<Map<String, Object>> ops = StatusWriter.operations("/status", StatusWriter.changes(read, mine, POD_OWNED),
                read);
        assertEquals(List.of(
                map("op", "add", "path", "/status/phase", "value", "Succeeded"),
                map("op", "add", "path", "/status/progress/current", "value", 100),
                map("op", "add", "path", "/status/progress/percent", "value", 100.0),
                map("op", "add", "path", "/status/breakdown/a~1b~0c", "value", 2),
                map("op", "add", "path", "/status/conditions", "value", mine.get("conditions")),
                map("op", "add", "path", "/status/output", "value", map("adapterPath", "/a")),
                map("op", "remove", "path", "/status/completionTime")), ops);
    }
}
