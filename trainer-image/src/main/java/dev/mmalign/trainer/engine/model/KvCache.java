package dev.mmalign.trainer.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of every decoder layer for the tokens seen so far, so that each generation step only
 * runs the new token through the model. Arrays are [batch, kvHeads, seen, headDim].
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;

    public KvCache(int layers) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /** Number of positions already cached. */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /** Appends this step's keys/values for a layer and returns the full ones. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        if (keys[layer] == null) {
            keys[layer] = k;
            values[layer] = v;
        } else {
            NDArray nk = keys[layer].concat(k, 2);
            NDArray nv = values[layer].concat(v, 2);
            keys[layer].close();
            values[layer].close();
            keys[layer] = nk;
            values[layer] = nv;
        }
        return new NDArray[] {keys[layer], values[layer]};
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
                keys[i] = null;
                values[i] = null;
            }
        }
    }
}
