package dev.mmalign.trainer.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every decoder layer for the tokens seen so far, so that each generation step only
 * runs the new token through the model. Storage is allocated once per layer at full capacity
 * [batch, kvHeads, capacity, headDim]; each step writes its new positions in place and attention reads a
 * view of the filled part. This avoids a growing copy (and a growing allocation) per token.
 *
 * <p>The cache is stored in the model's weight storage dtype ({@link LlavaModel#kvCacheType()}): fp16 when the
 * weights are fp16-stored, which halves the largest buffer of sampling; attention reads it cast back to fp32, one
 * layer at a time, so arithmetic stays fp32.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final NDManager manager;
    private final int capacity;
    private final DataType storage;
    private long length;

    /**
     * @param capacity most positions the cache will hold (prompt + new tokens)
     * @param manager owner of the storage, so each step's own manager can be closed
     */
    public KvCache(int layers, int capacity, NDManager manager) {
        this(layers, capacity, manager, DataType.FLOAT32);
    }

    /** @param storage FLOAT32 or FLOAT16: the dtype the keys and values are kept in */
    public KvCache(int layers, int capacity, NDManager manager, DataType storage) {
        if (storage != DataType.FLOAT32 && storage != DataType.FLOAT16) {
            throw new IllegalArgumentException("a KV cache is stored in float32 or float16, not " + storage);
        }
        this.storage = storage;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.manager = manager;
        this.capacity = capacity;
    }

    /** Number of positions already cached (all layers advance together). */
    public long length() {
        return length;
    }

    /** Writes this step's keys/values [B, kvHeads, T, d] for a layer; returns views of all cached ones. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        long t = k.getShape().get(2);
        if (keys[layer] == null) {
            Shape s = k.getShape();
            keys[layer] = manager.zeros(new Shape(s.get(0), s.get(1), capacity, s.get(3)), storage);
            values[layer] = manager.zeros(new Shape(s.get(0), s.get(1), capacity, s.get(3)), storage);
        }
        long end = length + t;
        if (end > capacity) {
            throw new IllegalStateException("KV cache capacity " + capacity + " exceeded");
        }
        // Indices built directly, not parsed from ":, :, a:b" strings (three parses per layer and token before).
        NDIndex slot = new NDIndex().addAllDim(2).addSliceDim(length, end);
        keys[layer].set(slot, stored(k));
        values[layer].set(slot, stored(v));
        NDIndex filled = new NDIndex().addAllDim(2).addSliceDim(0, end);
        NDArray kView = keys[layer].get(filled);
        NDArray vView = values[layer].get(filled);
        // Views are made on the storage's manager; hand them to the step's manager to be freed with it.
        kView.attach(k.getManager());
        vView.attach(k.getManager());
        if (storage != k.getDataType()) {
            kView = kView.toType(k.getDataType(), false);
            vView = vView.toType(v.getDataType(), false);
        }
        if (layer == keys.length - 1) {
            length = end;
        }
        return new NDArray[] {kView, vView};
    }

    /** The dtype keys and values are kept in. */
    public DataType storage() {
        return storage;
    }

    /** A step's keys or values in the storage dtype (a cast on the step's manager when they differ). */
    private NDArray stored(NDArray x) {
        return x.getDataType() == storage ? x : x.toType(storage, false);
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
