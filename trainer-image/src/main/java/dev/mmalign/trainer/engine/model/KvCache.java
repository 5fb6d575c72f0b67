package dev.mmalign.trainer.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every decoder layer for the tokens seen so far, so that each generation step only
 * runs the new token through the model. Arrays are [batch, kvHeads, seen, headDim].
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final NDManager manager;

    /** The cache keeps its arrays on {@code manager}, so each step's own manager can be closed. */
    public KvCache(int layers, NDManager manager) {
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.manager = manager;
    }

    /** Number of positions already cached. */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /** Appends this step's keys/values for a layer and returns the full ones. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray nk = keys[layer] == null ? k.duplicate() : keys[layer].concat(k, 2);
        NDArray nv = values[layer] == null ? v.duplicate() : values[layer].concat(v, 2);
        nk.attach(manager);
        nv.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = nk;
        values[layer] = nv;
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
