package dev.mmalign.operator.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PathMapTest {

    private static PathMap map() {
        PathMap m = new PathMap();
        m.put("/data", Path.of("/w/volumes/ns/claim"));
        m.put("/data/models", Path.of("/w/models"));
        m.put("/etc/mmalign", Path.of("/w/pods/ns/p/volumes/spec"));
        m.put("/dev/termination-log", Path.of("/w/pods/ns/p/termination-log"));
        return m;
    }

    /** Guards the MMALIGN_PATH_MAP format the trainer parses: podPath=localPath joined by ':', longest first. */
    @Test
    void envValueListsLongestPodPathFirst() {
        assertEquals("/dev/termination-log=/w/pods/ns/p/termination-log:/data/models=/w/models"
                + ":/etc/mmalign=/w/pods/ns/p/volumes/spec:/data=/w/volumes/ns/claim", map().toEnvValue());
    }

    /** Guards the mapping rule: the longest mount that is the path or a parent folder of it wins. */
    @Test
    void resolveUsesTheLongestCoveringMount() {
        assertEquals(Path.of("/w/models/tiny"), map().resolve("/data/models/tiny").orElseThrow());
        assertEquals(Path.of("/w/volumes/ns/claim/x.jsonl"), map().resolve("/data/x.jsonl").orElseThrow());
        assertEquals(Path.of("/w/volumes/ns/claim"), map().resolve("/data").orElseThrow());
        assertEquals(true, map().resolve("/database").isEmpty());
    }

    /** Guards argument rewriting: whole args, --flag=value, and paths inside a sh -c script are rewritten,
     * look-alike prefixes are not, and a local path is never rewritten twice. */
    @Test
    void rewriteReplacesInPodPathsAtWordBoundariesOnly() {
        PathMap m = map();
        assertEquals("/w/pods/ns/p/volumes/spec/stage.json", m.rewrite("/etc/mmalign/stage.json"));
        assertEquals("--out=/w/volumes/ns/claim/out", m.rewrite("--out=/data/out"));
        assertEquals("echo 1 > /w/volumes/ns/claim/out-$I; cat /w/models/a",
                m.rewrite("echo 1 > /data/out-$I; cat /data/models/a"));
        assertEquals("/database /datax data/x", m.rewrite("/database /datax data/x"));
        assertEquals("echo x >/w/pods/ns/p/termination-log", m.rewrite("echo x >/dev/termination-log"));
    }

    /** Guards the format's limits: a ':' or '=' in a path would make the env value ambiguous. */
    @Test
    void refusesPathsTheFormatCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> new PathMap().put("/data", Path.of("/tmp/a:b")));
    }
}
