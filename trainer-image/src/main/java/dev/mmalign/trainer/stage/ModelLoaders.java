package dev.mmalign.trainer.stage;

import java.util.ServiceLoader;

/**
 * Finds the engine's {@link PolicyModelLoader} through {@link ServiceLoader}: the engine registers its implementation
 * in META-INF/services/dev.mmalign.trainer.stage.PolicyModelLoader, so the stage commands need no compile-time
 * dependency on it. Without one, stages that need a model fail with a clear message.
 */
public final class ModelLoaders {

    private ModelLoaders() {}

    public static PolicyModelLoader discover() {
        return ServiceLoader.load(PolicyModelLoader.class).findFirst().orElse(PolicyModelLoader.unavailable());
    }
}
