package dev.mmalign.trainer.sets;

import dev.mmalign.trainer.data.StableHash;

import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code dataFraction} subsets of a training set for scaling curves (paper Figure 2). Every record gets a fixed
 * rank from a hash of (seed, id); a fraction f keeps the ceil(f·n) lowest ranks. Hence the subsets are nested
 * (25 % ⊂ 50 % ⊂ 75 % ⊂ 100 %) and do not depend on file order or on when they are taken.
 */
public final class FractionSubset {

    private FractionSubset() {}

    public static <T> List<T> select(List<T> records, double fraction, long seed, Function<T, String> id) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("dataFraction must be in (0, 1], got " + fraction);
        }
        int keep = (int) Math.ceil(fraction * records.size() - 1e-9);
        List<T> ranked = records.stream()
                .sorted(Comparator.comparingLong((T r) -> StableHash.of(seed, id.apply(r))).thenComparing(id))
                .limit(keep)
                .toList();
        // Keep the original order among the survivors: training order stays the set's order.
        java.util.Set<T> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        kept.addAll(ranked);
        return records.stream().filter(kept::contains).toList();
    }
}
