package dev.mmalign.trainer.judge;

import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.trainer.net.Backoff;
import dev.mmalign.trainer.net.RateLimiter;
import dev.mmalign.trainer.stage.StageContext;

import java.util.Map;
import java.util.Random;

/** Builds the {@link ResilientJudge} of a judge spec for this shard: its share of the rate limit, retries, prices. */
public final class ResilientJudges {

    private ResilientJudges() {}

    public static ResilientJudge create(JudgeSpec spec, StageContext ctx, Map<String, String> env, JudgeTuning tuning,
                                        CostBudget budget) {
        int timeoutMillis = tuning.timeoutMillis() != null ? tuning.timeoutMillis()
                : (spec.timeoutSeconds == null ? 120 : spec.timeoutSeconds) * 1000;
        JudgeClient client = tuning.clientOverride() != null ? tuning.clientOverride()
                : JudgeClients.create(spec, ctx.specFile(), env, timeoutMillis);
        int rpm = spec.requestsPerMinute == null ? 60 : spec.requestsPerMinute;
        return new ResilientJudge(client,
                new RateLimiter(ShardShare.requestsPerMinute(rpm, ctx.shard().count), System::nanoTime,
                        tuning.sleeper()),
                new Backoff(tuning.backoffBaseMillis(), tuning.backoffMaxMillis(), new Random()),
                tuning.sleeper(), spec.maxRetries == null ? 6 : spec.maxRetries, Prices.of(spec), budget);
    }
}
