package dev.mmalign.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;

/**
 * Leader election through a coordination.k8s.io Lease in the operator's namespace, so that with more than one replica
 * only one reconciles (the others stand by). The extension applies it in the profiles of
 * quarkus.operator-sdk.activate-leader-election-for-profiles (prod).
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {

    public LeaderElection(OperatorSettings settings) {
        super(settings.leaderElection().leaseName());
    }
}
