package dev.mmalign.trainer.stage;

/** The stage's cost budget is spent: everything done so far is kept; the runner exits with code 3. */
public class BudgetExhaustedException extends RuntimeException {
    public BudgetExhaustedException(String message) {
        super(message);
    }
}
