package dev.mmalign.operator.reconcile;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards that no stored object can stop the operator: the mock API server, like a schema-less install, an older or
 * newer CRD, or local mode, stores specs that do not fit the Java types. Each bad shape is stored, through a generic
 * client, before good resources of the same kind (in the same and in another namespace) and of the other kinds; the
 * good ones must still be reconciled (their Jobs appear) and each bad one must fail with InvalidSpec naming its field,
 * with a Warning Event on that resource alone.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class BadStoredObjectsTest extends OperatorTestBase {

    private static final String NS = "bad-shapes";
    private static final String OTHER_NS = "bad-shapes-other";

    /** Stores {@code typed} as JSON, with {@code spoil} applied to its spec, bypassing the Java types. */
    @SuppressWarnings("unchecked")
    private void storeSpoiled(HasMetadata typed, Consumer<Map<String, Object>> spoil) {
        Map<String, Object> json = client.getKubernetesSerialization().convertValue(typed, Map.class);
        spoil.accept((Map<String, Object>) json.get("spec"));
        GenericKubernetesResource generic = client.getKubernetesSerialization()
                .convertValue(json, GenericKubernetesResource.class);
        client.genericKubernetesResources(ResourceDefinitionContext.fromResourceType(typed.getClass()))
                .inNamespace(NS).resource(generic).create();
    }

    @SuppressWarnings("unchecked")
    private static Consumer<Map<String, Object>> at(String field, Object value, String... parents) {
        return spec -> {
            Map<String, Object> at = spec;
            for (String p : parents) {
                at = (Map<String, Object>) at.get(p);
            }
            at.put(field, value);
        };
    }

    private <R extends CustomResource<?, ?>> void failsNaming(Class<R> type, String name, String problem,
                                                          Function<R, List<Condition>> conditions) {
        R bad = awaitResource(type, NS, name, r -> r.getStatus() != null
                && isTrue(conditions.apply(r), ConditionTypes.FAILED));
        Condition failed = condition(conditions.apply(bad), ConditionTypes.FAILED).orElseThrow();
        assertEquals("InvalidSpec", failed.getReason(), name);
        assertTrue(failed.getMessage().contains(problem), name + ": " + failed.getMessage());
        Condition progressing = condition(conditions.apply(bad), ConditionTypes.PROGRESSING).orElseThrow();
        assertEquals("False", progressing.getStatus(), name);
        List<Event> warnings = events(NS, name).stream()
                .filter(e -> "Warning".equals(e.getType()) && "InvalidSpec".equals(e.getReason())).toList();
        assertEquals(1, warnings.size(), name + ": " + eventReasons(NS, name));
        assertTrue(warnings.get(0).getMessage().contains(problem), warnings.get(0).getMessage());
        assertEquals(type.getSimpleName(), warnings.get(0).getInvolvedObject().getKind());
    }

    @Test
    void badObjectsFailAloneAndTheGoodOnesStillReconcile() {
        storeSpoiled(Fixtures.dataset(NS, "ds-hot"), at("temperature", "hot", "sampling"));
        storeSpoiled(Fixtures.dataset(NS, "ds-fraction"), at("completionsPerPrompt", 2.5, "sampling"));
        storeSpoiled(Fixtures.runOnFile(NS, "run-lowercase"), at("method", "dpo"));
        storeSpoiled(Fixtures.runOnFile(NS, "run-suspend"), at("suspend", "yes"));
        storeSpoiled(Fixtures.runOnFile(NS, "run-unknown-field"), at("learningRateTypo", 0.1));
        storeSpoiled(Fixtures.suite(NS, "suite-models", List.of(Fixtures.modelAt("base", "models/tiny"))),
                at("models", "all of them"));

        // Good resources after the bad ones, of every kind, here and in another namespace.
        client.resource(Fixtures.dataset(NS, "ds-good")).create();
        client.resource(Fixtures.dataset(OTHER_NS, "ds-good")).create();
        client.resource(Fixtures.runOnFile(NS, "run-good")).create();
        client.resource(Fixtures.suite(NS, "suite-good", List.of(Fixtures.modelAt("base", "models/tiny")))).create();
        kubelet.awaitJob(NS, "ds-good-sample-1");
        kubelet.awaitJob(OTHER_NS, "ds-good-sample-1");
        kubelet.awaitJob(NS, "run-good-train-1");
        kubelet.awaitJob(NS, "suite-good-evaluate-base-1");
        // An unknown field is dropped, as the API server would prune it: the run goes on.
        kubelet.awaitJob(NS, "run-unknown-field-train-1");

        failsNaming(PreferenceDataset.class, "ds-hot", "spec.sampling.temperature: \"hot\" is not a number",
                ds -> ds.getStatus().conditions);
        failsNaming(PreferenceDataset.class, "ds-fraction", "spec.sampling.completionsPerPrompt: 2.5 is not an integer",
                ds -> ds.getStatus().conditions);
        failsNaming(AlignmentRun.class, "run-lowercase", "spec.method: \"dpo\" is not one of DPO, SFT",
                r -> r.getStatus().conditions);
        failsNaming(AlignmentRun.class, "run-suspend", "spec.suspend: \"yes\" is not true or false",
                r -> r.getStatus().conditions);
        failsNaming(BenchmarkSuite.class, "suite-models", "spec.models: \"all of them\" is not a list",
                s -> s.getStatus().conditions);
        for (String bad : List.of("ds-hot", "ds-fraction", "run-lowercase", "run-suspend", "suite-models")) {
            assertTrue(client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
                    .noneMatch(j -> j.getMetadata().getName().startsWith(bad + "-")), bad + " started a Job");
        }
    }
}
