package dev.mmalign.trainer.judge;

/**
 * A stage-wide budget split evenly across shards that cannot talk to each other: each shard gets 1/n of the requests
 * per minute and of the cost budget, and its slice of the concurrency (at least one request in flight).
 */
public final class ShardShare {

    private ShardShare() {}

    public static double requestsPerMinute(int total, int shards) {
        return total / (double) shards;
    }

    public static int concurrency(int total, int shardIndex, int shards) {
        int base = total / shards;
        int extra = shardIndex < total % shards ? 1 : 0;
        return Math.max(1, base + extra);
    }

    public static Double costUsd(Double total, int shards) {
        return total == null ? null : total / shards;
    }
}
