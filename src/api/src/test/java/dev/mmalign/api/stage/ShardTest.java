package dev.mmalign.api.stage;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShardTest {

    /** Guards that shards partition the items: each item is owned by exactly one shard. */
    @Test
    void everyItemBelongsToExactlyOneShard() {
        int count = 3;
        for (long item = 0; item < 100; item++) {
            int owners = 0;
            for (int i = 0; i < count; i++) {
                owners += new Shard(i, count).owns(item) ? 1 : 0;
            }
            assertEquals(1, owners, "item " + item);
        }
    }

    @Test
    void outOfRangeShardIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Shard(3, 3));
        assertThrows(IllegalArgumentException.class, () -> new Shard(0, 0));
    }

    /** Guards the shard file names both sides agree on (sorted lexically in shard order). */
    @Test
    void shardFileNamesSortInShardOrder() {
        assertEquals("completions-00002-of-00010.jsonl", ArtifactLayout.shardFile("completions", 2, 10, "jsonl"));
        assertEquals("result-sample-00003.json", ArtifactLayout.resultFile(StageName.sample, 3));
    }
}
