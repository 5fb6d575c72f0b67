package dev.mmalign.trainer.engine.safetensors;

/** A safetensors file that does not follow the format (truncated, inconsistent header, bad dtype). */
public class SafeTensorsException extends RuntimeException {
    public SafeTensorsException(String message) {
        super(message);
    }
}
