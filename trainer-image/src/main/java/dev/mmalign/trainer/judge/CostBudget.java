package dev.mmalign.trainer.judge;

/**
 * The shard's share of maxCostUSD and what has been spent (earlier runs included). Checked before every request;
 * requests already in flight when the budget runs out still complete and are kept, so the spend can exceed the
 * budget by at most (concurrency × one request).
 */
public final class CostBudget {

    private final Double limitUsd;
    private double spentUsd;

    /** @param limitUsd null for no budget */
    public CostBudget(Double limitUsd, double alreadySpentUsd) {
        this.limitUsd = limitUsd;
        this.spentUsd = alreadySpentUsd;
    }

    public synchronized boolean exhausted() {
        return limitUsd != null && spentUsd >= limitUsd;
    }

    public synchronized void spend(double usd) {
        spentUsd += usd;
    }

    public synchronized double spentUsd() {
        return spentUsd;
    }

    public Double limitUsd() {
        return limitUsd;
    }
}
