package dev.mmalign.operator.sweep;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteSpec;
import dev.mmalign.api.bench.ModelUnderTest;
import dev.mmalign.api.bench.SweepAxisValues;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DpoSpec;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.TrainingSpec;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.AlignmentSweepSpec;
import dev.mmalign.api.sweep.SweepAxes;
import dev.mmalign.operator.k8s.ChildNames;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Owners;
import dev.mmalign.operator.run.EvaluationSuiteBuilder;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The children of an AlignmentSweep (pure): one AlignmentRun per point of the product of its axes, and one
 * BenchmarkSuite over the template's base model and every run.
 *
 * <p>Names: a point's key joins one short part per axis set ({@code f0p25} for dataFraction 0.25, {@code b0p1} for
 * beta, {@code lr0p0002}, {@code avg}/{@code sum} for averageLogProbs, the method in lower case), e.g.
 * {@code f0p25-b0p1}; the run is {@code <sweep>-<key>} and the suite's model {@code <key>}, each shortened with a hash
 * of the whole when too long (63 and 40 characters), so names stay valid and distinct. Children of another method
 * than DPO ignore the DPO axes, so points that differ only there are one child.
 */
public final class SweepPlan {

    public static final String DATA_FRACTION = "dataFraction";
    public static final String BETA = "beta";
    public static final String LEARNING_RATE = "learningRate";
    public static final String AVERAGE_LOG_PROBS = "averageLogProbs";
    public static final String METHOD = "method";
    /** The base model's name in the suite (and its baseline). */
    public static final String BASE = EvaluationSuiteBuilder.BASE;
    /** Annotation on each child: a hash of the spec the sweep wants it to have; the child is patched when it differs. */
    public static final String SPEC_HASH = "mmalign.dev/sweep-spec-hash";
    /** Most characters of a suite model's name (ModelUnderTest.name). */
    static final int MODEL_NAME_MAX = 40;

    private SweepPlan() {}

    /** One child run: its names, its point of the axes (axis name to value, in the axes' order) and its spec. */
    public record Child(String runName, String model, Map<String, String> point, AlignmentRunSpec spec) {}

    /** One axis: its name, how a value is written in names, and how it sets a child's spec. */
    private record Axis<T>(String name, Function<SweepAxes, List<T>> values, Function<T, String> shortPart,
                           BiConsumer<AlignmentRunSpec, T> apply, boolean dpoOnly) {}

    private static final List<Axis<?>> AXES = List.of(
            new Axis<Double>(DATA_FRACTION, a -> a.dataFraction, v -> "f" + namePart(v),
                    (s, v) -> s.dataFraction = v, false),
            new Axis<Double>(BETA, a -> a.beta, v -> "b" + namePart(v), (s, v) -> s.dpo.beta = v, true),
            new Axis<Double>(LEARNING_RATE, a -> a.learningRate, v -> "lr" + namePart(v),
                    (s, v) -> s.training.learningRate = v, false),
            new Axis<Boolean>(AVERAGE_LOG_PROBS, a -> a.averageLogProbs, v -> v ? "avg" : "sum",
                    (s, v) -> s.dpo.averageLogProbs = v, true),
            new Axis<Method>(METHOD, a -> a.method, v -> v.name().toLowerCase(Locale.ROOT),
                    (s, v) -> s.method = v, false));

    /** The names of the axes the spec sets, in the fixed order (dataFraction, beta, learningRate, ...). */
    public static List<String> axesSet(SweepAxes axes) {
        return AXES.stream().filter(a -> a.values().apply(axes) != null).map(Axis::name).toList();
    }

    /** The values of one axis as written in points and tables, in the spec's order; empty when the axis is unset. */
    public static List<String> values(SweepAxes axes, String axis) {
        for (Axis<?> a : AXES) {
            if (a.name().equals(axis)) {
                List<?> vs = a.values().apply(axes);
                return vs == null ? List.of() : vs.stream().map(SweepPlan::display).toList();
            }
        }
        throw new IllegalArgumentException("no axis " + axis);
    }

    /** The axes the spec sets with their values, as suites and tables carry them. */
    public static List<SweepAxisValues> axisValues(SweepAxes axes) {
        return axesSet(axes).stream().map(a -> new SweepAxisValues(a, values(axes, a))).toList();
    }

    /** Every child, in product order (the first axis varies slowest), without duplicates. */
    public static List<Child> children(AlignmentSweep sweep) {
        AlignmentSweepSpec spec = sweep.getSpec();
        List<Map<Axis<?>, Object>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (Axis<?> axis : AXES) {
            List<?> vs = axis.values().apply(spec.axes);
            if (vs == null) {
                continue;
            }
            List<Map<Axis<?>, Object>> next = new ArrayList<>();
            for (Map<Axis<?>, Object> p : points) {
                for (Object v : vs) {
                    Map<Axis<?>, Object> q = new LinkedHashMap<>(p);
                    q.put(axis, v);
                    next.add(q);
                }
            }
            points = next;
        }
        Map<String, Child> byKey = new LinkedHashMap<>();
        for (Map<Axis<?>, Object> p : points) {
            Child child = child(sweep, p);
            byKey.putIfAbsent(child.runName(), child);
        }
        return List.copyOf(byKey.values());
    }

    @SuppressWarnings("unchecked")
    private static Child child(AlignmentSweep sweep, Map<Axis<?>, Object> point) {
        AlignmentRunSpec spec = Json.convert(sweep.getSpec().template, AlignmentRunSpec.class);
        spec.evaluation = null;
        if (spec.training == null) {
            spec.training = new TrainingSpec();
        }
        Object method = point.entrySet().stream().filter(e -> e.getKey().name().equals(METHOD))
                .map(Map.Entry::getValue).findFirst().orElse(spec.method);
        boolean dpo = method == Method.DPO;
        if (dpo && spec.dpo == null) {
            spec.dpo = new DpoSpec();
        } else if (!dpo) {
            spec.dpo = null; // DPO settings are invalid on other methods (the run's CEL rule)
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> key = new ArrayList<>();
        for (var e : point.entrySet()) {
            Axis<Object> axis = (Axis<Object>) e.getKey();
            if (axis.dpoOnly() && !dpo) {
                continue;
            }
            axis.apply().accept(spec, e.getValue());
            values.put(axis.name(), display(e.getValue()));
            key.add(axis.shortPart().apply(e.getValue()));
        }
        String k = String.join("-", key);
        return new Child(ChildNames.sweepRun(sweep.getMetadata().getName(), k), ChildNames.fit(k, MODEL_NAME_MAX),
                values, spec);
    }

    /** The child's AlignmentRun: owned by the sweep, labelled as its child, annotated with its spec's hash. */
    public static AlignmentRun run(AlignmentSweep sweep, Child child) {
        AlignmentRun run = new AlignmentRun();
        run.getMetadata().setName(child.runName());
        run.getMetadata().setNamespace(sweep.getMetadata().getNamespace());
        run.getMetadata().setLabels(Labels.forChild(sweep, "sweep-run"));
        run.getMetadata().setAnnotations(Map.of(SPEC_HASH, hash(child.spec())));
        run.getMetadata().setOwnerReferences(List.of(Owners.controllerReference(sweep)));
        run.setSpec(child.spec());
        return run;
    }

    /** The suite: the template's base model (named {@value #BASE}, the baseline), then every child in order. */
    public static BenchmarkSuite suite(AlignmentSweep sweep, List<Child> children) {
        BenchmarkSuiteSpec spec = EvaluationSuiteBuilder.suiteSpec(sweep.getSpec().evaluation, sweep.getSpec().template);
        spec.sweepAxes = new ArrayList<>(axisValues(sweep.getSpec().axes));
        for (Child c : children) {
            ModelUnderTest m = new ModelUnderTest();
            m.name = c.model();
            m.alignmentRun = c.runName();
            m.sweepPoint = new LinkedHashMap<>(c.point());
            spec.models.add(m);
        }

        BenchmarkSuite suite = new BenchmarkSuite();
        suite.getMetadata().setName(ChildNames.sweepSuite(sweep.getMetadata().getName()));
        suite.getMetadata().setNamespace(sweep.getMetadata().getNamespace());
        suite.getMetadata().setLabels(Labels.forChild(sweep, "sweep-suite"));
        BenchmarkSuiteSpec converted = Json.convert(spec, BenchmarkSuiteSpec.class);
        suite.getMetadata().setAnnotations(Map.of(SPEC_HASH, hash(converted)));
        suite.getMetadata().setOwnerReferences(List.of(Owners.controllerReference(sweep)));
        suite.setSpec(converted);
        return suite;
    }

    /** Hash of a spec as JSON: what the sweep last wanted a child to be. */
    public static String hash(Object spec) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(Json.write(spec).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value as tables show it: numbers in plain decimal (0.25, 1, 0.0002), others as named. */
    static String display(Object v) {
        if (v instanceof Double d) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(v);
    }

    /** A number in a DNS label: 0.25 becomes 0p25. */
    private static String namePart(Double v) {
        return display(v).replace('.', 'p');
    }
}
