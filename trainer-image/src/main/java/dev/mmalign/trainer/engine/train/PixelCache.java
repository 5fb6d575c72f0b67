package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.data.ImageProcessor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Preprocessed images of a training run, kept across its steps and epochs: every epoch reads the same images, and
 * decoding a PNG and resizing it cost the quickstart's training about 1.5 % of its time, all of it repeated work.
 * Bounded by bytes (least recently used first out), so a large image set streams as before. The arrays are shared:
 * callers only read them. Thread-safe (data-parallel replicas encode at the same time).
 */
final class PixelCache {
    /** Enough for every image of the quickstart many times over; 190 LLaVA-1.5 (336 px) images. */
    static final long DEFAULT_MAX_BYTES = 256L << 20;

    private final ImageProcessor images;
    private final long maxBytes;
    private long bytes;
    private final LinkedHashMap<Path, float[]> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, float[]> eldest) {
            if (bytes > maxBytes) {
                bytes -= 4L * eldest.getValue().length;
                return true;
            }
            return false;
        }
    };

    PixelCache(ImageProcessor images, long maxBytes) {
        this.images = images;
        this.maxBytes = maxBytes;
    }

    /** The processed pixels of {@code png}, loaded on first use. */
    float[] pixels(Path png) throws IOException {
        synchronized (this) {
            float[] hit = cache.get(png);
            if (hit != null) {
                return hit;
            }
        }
        float[] loaded = images.load(png); // outside the lock: replicas decode in parallel
        synchronized (this) {
            if (!cache.containsKey(png)) {
                bytes += 4L * loaded.length;
                cache.put(png, loaded);
            }
        }
        return loaded;
    }

    synchronized int size() {
        return cache.size();
    }

    synchronized long bytes() {
        return bytes;
    }
}
