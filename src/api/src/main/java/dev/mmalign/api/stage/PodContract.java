package dev.mmalign.api.stage;

/**
 * Every name the operator's stage Job and the trainer inside its pod must agree on (DESIGN.md §4): the container and
 * its command, mount paths and environment variables. The operator builds the pod from these constants and the
 * trainer reads the same ones; neither spells a path or a variable name itself. Exit codes are in {@link ExitCodes},
 * the result and progress shapes in {@link StageResult}, {@link TerminationMessage} and {@link ProgressReporting},
 * local mode's path translation in {@link PathMap}, and how judge credentials and the labelling guide reach the pod
 * in {@link JudgeWiring}, a sampling endpoint's API key in {@link SamplingEndpointWiring}.
 */
public final class PodContract {

    // ---- the container ------------------------------------------------------------------------------------------

    /** Name of the one container of a stage pod (podFailurePolicy rules and status lookups name it). */
    public static final String CONTAINER = "stage";
    /** The trainer's launcher in the image: {@code mmalign-trainer <stage> --spec SPEC_FILE}. */
    public static final String COMMAND = "mmalign-trainer";
    /** The trainer's option that names the stage spec file. */
    public static final String SPEC_OPTION = "--spec";

    // ---- mount paths ----------------------------------------------------------------------------------------------

    /** Folder of the stage spec, a ConfigMap mounted read-only. */
    public static final String SPEC_DIR = "/etc/mmalign";
    /** Key of the stage spec in its ConfigMap, and so its file name in {@link #SPEC_DIR}. */
    public static final String SPEC_KEY = "stage.json";
    public static final String SPEC_FILE = SPEC_DIR + "/" + SPEC_KEY;
    /** Mount point of the storage root (the claim at its storage.subPath); stage specs hold paths relative to it. */
    public static final String STORAGE_ROOT = "/data";
    /** Folder of the judge's credential file (a Secret), mounted only in annotate and evaluate pods. */
    public static final String CREDENTIALS_DIR = "/var/run/secrets/mmalign/judge";
    /**
     * Folder of a sampling endpoint's API key (a Secret), mounted only in sample pods ({@link SamplingEndpointWiring}).
     */
    public static final String SAMPLING_CREDENTIALS_DIR = "/var/run/secrets/mmalign/sampling";
    /**
     * Folder of a labelling guide from a ConfigMap, mounted only in annotate pods. Its own folder, not below
     * {@link #SPEC_DIR}: a mount point inside another read-only ConfigMap mount is not portable across runtimes.
     */
    public static final String GUIDE_DIR = "/etc/mmalign-guide";
    /** Where the trainer writes its compact result and Kubernetes reads the termination message. */
    public static final String TERMINATION_LOG = "/dev/termination-log";
    /** Shared memory for data loaders and NCCL (a memory emptyDir; the runtime's default 64 MiB is too small). */
    public static final String SHM_DIR = "/dev/shm";
    /** The one writable scratch folder of the read-only root filesystem (JVM, native library extraction); HOME. */
    public static final String TMP_DIR = "/tmp";

    // ---- environment -----------------------------------------------------------------------------------------------

    /** The stage spec file (also given as {@code --spec}); informational for tools inside the pod. */
    public static final String ENV_STAGE_SPEC = "MMALIGN_STAGE_SPEC";
    /** The pod's own name and namespace (downward API), for logs and progress reports. */
    public static final String ENV_POD_NAME = "POD_NAME";
    public static final String ENV_POD_NAMESPACE = "POD_NAMESPACE";
    /** Set by Kubernetes in every pod of an Indexed Job: the shard this pod works on. */
    public static final String ENV_JOB_COMPLETION_INDEX = "JOB_COMPLETION_INDEX";
    public static final String ENV_HOME = "HOME";
    /**
     * Overrides {@link #TERMINATION_LOG} where no kubelet reads it (the in-process quickstart, tests). Local mode
     * maps the default path through {@link PathMap} instead.
     */
    public static final String ENV_TERMINATION_LOG = "MMALIGN_TERMINATION_LOG";

    private PodContract() {}

    /** The file of a key of a Secret or ConfigMap mounted at {@code dir}. */
    public static String fileIn(String dir, String key) {
        return dir + "/" + key;
    }
}
