package dev.mmalign.api.common;

/**
 * Patterns and sizes of the CRDs' string fields, kept once so that every kind checks a quantity, a label value or a
 * URL the same way (the API server refuses a resource that breaks one, naming the field).
 */
public final class SchemaPatterns {

    /**
     * A non-negative Kubernetes quantity (500m, 4, 1.5, 16Gi, 1e3), as resource.ParseQuantity accepts it: a request
     * or limit cannot be negative, and "1.2.3" or "4 GB" are not quantities.
     */
    public static final String QUANTITY =
            "^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$";

    /** A label value (the Kueue queue name goes into the kueue.x-k8s.io/queue-name label): at most 63 chars. */
    public static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

    /** An http(s) URL with a host and no whitespace. */
    public static final String HTTP_URL = "^https?://[^\\s/?#]+[^\\s]*$";

    /** Longest model name, project or location a judge accepts here (a guard against megabyte strings). */
    public static final int NAME_MAX = 256;

    /** Longest URL. */
    public static final int URL_MAX = 2048;

    private SchemaPatterns() {}
}
