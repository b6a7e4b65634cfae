package org.graddrop;

/** Optional rescaling of the combined output by gradient norms taken over the whole tensor. */
public enum NormMode {
    /** No rescaling. */
    NONE,

    /** output × ‖Σ_k ∇L_k‖ / (‖output‖ + ε): the output keeps the norm of the plain sum. */
    KEEP,

    /**
     * output × ‖output‖ / (‖Σ_k ∇L_k‖ + ε), the factor lingvo's {@code graddrop.py} applies when
     * {@code keep_gradnorm_constant} is set. It does not keep the norm; it reproduces lingvo.
     */
    LINGVO
}
