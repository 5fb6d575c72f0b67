package dev.mmalign.local;

import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.AlignmentSweepStatus;
import dev.mmalign.api.sweep.SweepTable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Guards the sweep table local mode prints at the end: the base's row first as the reference, then each value's. */
class SweepStatusTableTest {

    @Test
    void theBaselineRowComesFirstThenAValuePerRowWithItsRuns() {
        SweepTable t = new SweepTable();
        t.axis = "dataFraction";
        t.metrics = List.of("pope/f1", "text-only/accuracy");
        t.baselineModel = "base";
        t.baseline.put("pope/f1", 0.61);
        for (String v : List.of("0.5", "1")) {
            SweepTable.Row r = new SweepTable.Row();
            r.value = v;
            r.runs = v.equals("1") ? 0 : 1;
            if (v.equals("0.5")) {
                r.scores.put("pope/f1", 0.65);
                r.scores.put("text-only/accuracy", 0.1);
            }
            t.rows.add(r);
        }
        AlignmentSweep sweep = new AlignmentSweep();
        sweep.setStatus(new AlignmentSweepStatus());
        sweep.getStatus().tables = List.of(t);
        assertEquals("""
                dataFraction     runs  pope/f1  text-only/accuracy
                ---------------  ----  -------  ------------------
                base (baseline)     -   0.6100                   -
                0.5                 1   0.6500              0.1000
                1                   0        -                   -

                """, SweepStatusTable.render(sweep));
        assertEquals("(no tables)\n", SweepStatusTable.render(new AlignmentSweep()));
    }
}
