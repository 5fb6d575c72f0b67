package dev.mmalign.operator.jobs;

/** Fixed paths and names inside every stage pod (DESIGN.md §4). */
public final class PodLayout {
    public static final String CONTAINER = "stage";
    /** The trainer's launcher in the image. */
    public static final String COMMAND = "mmalign-trainer";
    public static final String SPEC_DIR = "/etc/mmalign";
    public static final String SPEC_KEY = "stage.json";
    public static final String SPEC_FILE = SPEC_DIR + "/" + SPEC_KEY;
    /** Mount point of the storage root (the claim's storage.subPath). */
    public static final String STORAGE_ROOT = "/data";
    public static final String CREDENTIALS_DIR = "/var/run/secrets/mmalign/judge";
    /** Env var naming the judge credential file (any provider). */
    public static final String CREDENTIALS_ENV = "MMALIGN_JUDGE_CREDENTIALS_FILE";
    public static final String TERMINATION_LOG = "/dev/termination-log";

    private PodLayout() {}
}
