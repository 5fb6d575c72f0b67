package dev.mmalign.api.stage;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MMALIGN_PATH_MAP contract between the local Job executor (writer) and the trainer (reader). */
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

    /** Guards the reader: what the executor writes parses back to the same mapping. */
    @Test
    void parsedEnvValueMapsLikeTheWriter() {
        PathMap parsed = PathMap.parse(map().toEnvValue());
        assertEquals(map().entries(), parsed.entries());
    }

    /** Guards the mapping rule on the trainer's side: the longest covering pod path wins, whole path elements only. */
    @Test
    void longestCoveringPrefixWins() {
        PathMap map = PathMap.parse("/data=/w/claim:/data/models=/w/models:/etc/mmalign=/w/spec");
        assertEquals(Path.of("/w/claim/x/y.jsonl"), map.map(Path.of("/data/x/y.jsonl")));
        assertEquals(Path.of("/w/models/tiny"), map.map(Path.of("/data/models/tiny")));
        assertEquals(Path.of("/w/claim"), map.map(Path.of("/data")));
        assertEquals(Path.of("/w/spec/stage.json"), map.map(Path.of("/etc/mmalign/stage.json")));
        assertEquals(Path.of("/database/x"), map.map(Path.of("/database/x")), "/database is not under /data");
        assertEquals(Path.of("relative/x"), map.map(Path.of("relative/x")), "relative paths are left alone");
    }

    /** Guards the real-pod case: no variable, no change. */
    @Test
    void unsetOrBlankIsTheIdentity() {
        assertTrue(PathMap.fromEnv(java.util.Map.of()).isIdentity());
        assertTrue(PathMap.parse(" ").isIdentity());
        assertEquals(Path.of("/data/x"), PathMap.parse(null).map(Path.of("/data/x")));
    }
}
