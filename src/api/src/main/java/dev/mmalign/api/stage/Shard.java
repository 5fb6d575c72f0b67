package dev.mmalign.api.stage;

/** Shard i of n of a stage. */
public class Shard {
    /** 0-based shard index. */
    public int index = 0;
    /** Number of shards. */
    public int count = 1;

    public Shard() {}

    public Shard(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + " of " + count + " is out of range");
        }
        this.index = index;
        this.count = count;
    }

    /** Whether item number {@code ordinal} (0-based, in a stable order) belongs to this shard. */
    public boolean owns(long ordinal) {
        return Math.floorMod(ordinal, (long) count) == index;
    }
}
