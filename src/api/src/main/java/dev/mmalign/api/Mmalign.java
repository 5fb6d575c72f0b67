package dev.mmalign.api;

/** Names shared by the operator, the trainer and the CRDs. */
public final class Mmalign {
    /** API group of every mmalign custom resource. */
    public static final String GROUP = "mmalign.dev";
    /** The one served version. */
    public static final String VERSION = "v1alpha1";
    /** {@code apiVersion} as it appears in manifests. */
    public static final String API_VERSION = GROUP + "/" + VERSION;
    /** The {@code kubectl get mmalign} category all three resources belong to. */
    public static final String CATEGORY = "mmalign";

    private Mmalign() {}
}
