package dev.mmalign.trainer.engine.data;

/**
 * PIL's bicubic resize of an 8-bit channel ({@code Image.resize(size, BICUBIC)}, Pillow's Resample.c), reproduced
 * step by step because transformers resizes through PIL and the features a checkpoint was trained on depend on it:
 * a separable filter (Keys cubic, a = -0.5), widened by the scale factor when shrinking (antialiasing), with
 * coefficients normalised per output pixel and then turned into 22-bit fixed point; the horizontal pass runs first and
 * its result is rounded to 8 bits before the vertical pass.
 */
final class PilBicubic {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private PilBicubic() {}

    /** A channel of {@code inW × inH} values 0..255, row-major, resized to {@code outW × outH}. */
    static int[] resize(int[] in, int inW, int inH, int outW, int outH) {
        int[] horizontal = in;
        if (outW != inW) {
            Coefficients c = coefficients(inW, outW);
            horizontal = new int[outW * inH];
            for (int y = 0; y < inH; y++) {
                for (int x = 0; x < outW; x++) {
                    long acc = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < c.count[x]; k++) {
                        acc += (long) in[y * inW + c.first[x] + k] * c.weights[x][k];
                    }
                    horizontal[y * outW + x] = clip8(acc);
                }
            }
        }
        if (outH == inH) {
            return horizontal;
        }
        Coefficients c = coefficients(inH, outH);
        int[] out = new int[outW * outH];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                long acc = 1 << (PRECISION_BITS - 1);
                for (int k = 0; k < c.count[y]; k++) {
                    acc += (long) horizontal[(c.first[y] + k) * outW + x] * c.weights[y][k];
                }
                out[y * outW + x] = clip8(acc);
            }
        }
        return out;
    }

    /** Per output pixel: the first input pixel, how many it reads, and their fixed-point weights. */
    private record Coefficients(int[] first, int[] count, int[][] weights) {}

    private static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[][] weights = new int[outSize][];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.max((int) (center - support + 0.5), 0); // C's (int): truncation toward zero
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double[] k = new double[xmax];
            double ww = 0;
            for (int x = 0; x < xmax; x++) {
                k[x] = cubic((x + xmin - center + 0.5) * ss);
                ww += k[x];
            }
            int[] fixed = new int[xmax];
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0 ? k[x] / ww : k[x];
                // normalize_coeffs_8bpc: round half away from zero, by C's truncating cast.
                fixed[x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            count[xx] = xmax;
            weights[xx] = fixed;
        }
        return new Coefficients(first, count, weights);
    }

    /** Keys' cubic convolution kernel with a = -0.5, as Pillow's bicubic_filter. */
    private static double cubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Fixed point back to 0..255: arithmetic shift, then clamp (Pillow's clip8). */
    private static int clip8(long acc) {
        long v = acc >> PRECISION_BITS;
        return (int) Math.max(0, Math.min(255, v));
    }
}
