package dev.mmalign.api.stage;

import dev.mmalign.api.common.SecretKeyRef;

/**
 * How a sampling endpoint's API key reaches the sample pods — the part of the pod contract ({@link PodContract}) that
 * the operator's Job builder and the trainer's endpoint client both follow: {@code sampling.endpoint.apiKeySecret} is
 * mounted read-only at {@link PodContract#SAMPLING_CREDENTIALS_DIR} (sample pods only) and its file is named by
 * {@link #ENV_API_KEY_FILE}. Outside a pod, {@link #ENV_API_KEY} gives the key directly.
 */
public final class SamplingEndpointWiring {

    /** The endpoint's API key itself (for running the trainer by hand; never set by the operator). */
    public static final String ENV_API_KEY = "MMALIGN_SAMPLING_API_KEY";
    /** The file holding the endpoint's API key. */
    public static final String ENV_API_KEY_FILE = "MMALIGN_SAMPLING_API_KEY_FILE";

    private SamplingEndpointWiring() {}

    /** The in-pod file of the API key Secret's key. */
    public static String apiKeyFile(SecretKeyRef ref) {
        return PodContract.fileIn(PodContract.SAMPLING_CREDENTIALS_DIR, ref.key);
    }
}
