package dev.mmalign.api.stage;

/**
 * How many of the GPUs a stage pod asks for the trainer puts to work — what {@code gpuSeconds} counts, so that a
 * pod given four GPUs for a one-device stage is not billed as four working GPUs.
 */
public final class GpuUse {

    private GpuUse() {}

    /**
     * train: one data-parallel replica per requested GPU; sample, annotate and evaluate run one model on one device;
     * build runs no model (it asks for none anyway).
     *
     * @param requested the pod's {@code resources.gpus}, null or negative read as 0
     */
    public static int working(StageName stage, Integer requested) {
        int asked = requested == null ? 0 : Math.max(0, requested);
        return switch (stage) {
            case train -> asked;
            case sample, annotate, evaluate -> Math.min(asked, 1);
            case build -> 0;
        };
    }
}
