package dev.mmalign.api.dataset;

/**
 * The field of a DPO pair (dpo.jsonl) that names the reference model whose log-probs the pair carries
 * ({@code refChosenLogp}/{@code refRejectedLogp}): the build stage writes it, the train stage checks it against its
 * own reference model and refuses pairs computed by another. Shape:
 * {@code "referenceModel": {"path": "<model folder[+adapter folder] as the writer saw it>", "sha256": "<fingerprint>"}}.
 * Only {@code sha256} is compared (a claim is mounted at different paths in different pods); {@code path} is for
 * messages. Pairs without the field are older files: accepted with a warning.
 */
public final class ReferenceStamp {
    public static final String FIELD = "referenceModel";
    public static final String PATH = "path";
    public static final String SHA256 = "sha256";

    private ReferenceStamp() {}
}
