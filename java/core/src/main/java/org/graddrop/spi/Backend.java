package org.graddrop.spi;

import org.graddrop.Statistics;
import org.graddrop.UnsupportedFeatureException;

/**
 * One place where GradDrop can run: the Java reference, the native SIMD library or an OpenCL
 * device. Implementations are thread-safe and compute exactly the arithmetic of
 * {@code docs/semantics.md}, so every backend returns the same bits as the Java reference.
 */
public interface Backend {

    /** The name used to pin this backend: "java", "native" or "opencl". */
    String name();

    /** Whether this backend can run here; probing happens once and the answer is cached. */
    Availability availability();

    /**
     * Throws {@link UnsupportedFeatureException} if this backend cannot compute {@code problem}
     * exactly; selection calls it before choosing a backend.
     */
    void checkSupported(Problem problem);

    /**
     * Applies GradDrop to an already validated problem. Returns the statistics when the problem
     * requests them, else null. Throws {@link UnsupportedFeatureException} rather than computing
     * something different, and writes nothing when it throws.
     */
    Statistics apply(Problem problem);
}
