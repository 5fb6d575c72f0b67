package dev.mmalign.operator.jobs;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards the one-reconcile-per-Job rule of {@link CreatesInFlight}: the ADD event of a Job whose create is in flight
 * is held back and handed to the creator, other ADDs go on as usual, and a held-back ADD still reconciles the owner
 * when the reconcile did not see what it says.
 */
class CreatesInFlightTest {

    private static Job job(String name, String resourceVersion) {
        return new JobBuilder().withNewMetadata().withNamespace("ns").withName(name)
                .withResourceVersion(resourceVersion).endMetadata().build();
    }

    @Test
    void anAddDuringItsCreateIsHeldBackAndHandedToTheCreator() {
        CreatesInFlight creating = new CreatesInFlight();
        creating.begin(new ResourceID("r-train-1", "ns"));
        Job added = job("r-train-1", "7");
        assertTrue(creating.holdBack(added));
        assertEquals(Optional.of(added), creating.end(new ResourceID("r-train-1", "ns")));
        // The create answered the same version: the reconcile saw it, no second reconcile.
        assertFalse(CreatesInFlight.stillNeeded(added, job("r-train-1", "7")));
    }

    @Test
    void addsOfOtherJobsAndAfterTheCreateGoOn() {
        CreatesInFlight creating = new CreatesInFlight();
        ResourceID id = new ResourceID("r-train-1", "ns");
        creating.begin(id);
        assertFalse(creating.holdBack(job("other-train-1", "3")), "another Job's ADD");
        assertFalse(creating.holdBack(new JobBuilder().withNewMetadata().withNamespace("ns2").withName("r-train-1")
                .withResourceVersion("4").endMetadata().build()), "same name, other namespace");
        assertEquals(Optional.empty(), creating.end(id), "nothing held back");
        assertFalse(creating.holdBack(job("r-train-1", "7")), "an ADD after the create ended");
        assertEquals(Optional.empty(), creating.end(id));
    }

    @Test
    void aHeldBackAddStillReconcilesWhenTheCreateFailedOrAnsweredAnotherVersion() {
        Job held = job("r-train-1", "9");
        assertTrue(CreatesInFlight.stillNeeded(held, null), "the create failed: the ADD is news to the owner");
        assertTrue(CreatesInFlight.stillNeeded(held, job("r-train-1", "7")), "the informer saw a later version");
    }
}
