package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How a judge pod authenticates. Only annotate and evaluate pods ever receive these credentials.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.secretRef) && has(self.gcpServiceAccount))",
        message = "set at most one of secretRef and gcpServiceAccount")
public class CredentialsSpec {

    @JsonPropertyDescription("Secret holding the credential: a Google service-account JSON key (vertex-gemini) or an "
            + "API key (openai-compatible). Mounted read-only into judge pods only.")
    public SecretKeyRef secretRef;

    @JsonPropertyDescription("GKE Workload Identity: the Google service account the judge pods' Kubernetes service "
            + "account is annotated with (iam.gke.io/gcp-service-account). No secret is mounted.")
    public String gcpServiceAccount;

    public CredentialsSpec() {}
}
