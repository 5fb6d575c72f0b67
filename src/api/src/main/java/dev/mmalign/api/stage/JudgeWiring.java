package dev.mmalign.api.stage;

import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.common.SecretKeyRef;
import dev.mmalign.api.dataset.GuideSpec;

/**
 * How a judge's credentials and labelling guide reach the annotate and evaluate pods — the part of the pod contract
 * ({@link PodContract}) that both the operator's Job builder and the trainer's judge clients follow:
 * <ul>
 *   <li>A {@code credentials.secretRef} is mounted read-only at {@link PodContract#CREDENTIALS_DIR}, and the file of
 *       its key is named by the variable of the provider ({@link #credentialFileEnv}): an API key file for
 *       openai-compatible, a service-account key for vertex-gemini (Google's own variable, so that any Google
 *       library in the pod finds it too). {@code gcpServiceAccount} (Workload Identity) mounts nothing.</li>
 *   <li>A labelling guide from a ConfigMap is mounted at {@link PodContract#GUIDE_DIR} and its file named by
 *       {@link #ENV_GUIDE_FILE}.</li>
 * </ul>
 * Outside a pod, {@link #ENV_API_KEY} gives an API key directly.
 */
public final class JudgeWiring {

    /** An OpenAI-compatible judge's API key itself (for running the trainer by hand; never set by the operator). */
    public static final String ENV_API_KEY = "MMALIGN_JUDGE_API_KEY";
    /** The file holding an OpenAI-compatible judge's API key. */
    public static final String ENV_API_KEY_FILE = "MMALIGN_JUDGE_API_KEY_FILE";
    /** A Google service-account key file: Application Default Credentials' own variable. */
    public static final String ENV_GOOGLE_CREDENTIALS_FILE = "GOOGLE_APPLICATION_CREDENTIALS";
    /** The labelling guide's file, when the spec names a guide ConfigMap. */
    public static final String ENV_GUIDE_FILE = "MMALIGN_JUDGE_GUIDE_FILE";

    private JudgeWiring() {}

    /** The variable that names the credential file of {@code provider}'s judge; null if it takes no credential. */
    public static String credentialFileEnv(JudgeProvider provider) {
        return switch (provider) {
            case VERTEX_GEMINI -> ENV_GOOGLE_CREDENTIALS_FILE;
            case OPENAI_COMPATIBLE -> ENV_API_KEY_FILE;
            case IMPORT, ORACLE -> null;
        };
    }

    /** The in-pod file of a credential Secret's key. */
    public static String credentialFile(SecretKeyRef ref) {
        return PodContract.fileIn(PodContract.CREDENTIALS_DIR, ref.key);
    }

    /** The in-pod file of a guide ConfigMap's key. */
    public static String guideFile(GuideSpec guide) {
        return PodContract.fileIn(PodContract.GUIDE_DIR, guide.key);
    }
}
