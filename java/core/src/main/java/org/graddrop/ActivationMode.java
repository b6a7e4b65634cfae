package org.graddrop;

/** How activations weigh the gradients before the purity is computed. Ignored when no activations are given. */
public enum ActivationMode {
    /** G = sign(A) ∘ ∇L: the paper's default. */
    SIGN,

    /** G = A ∘ ∇L. */
    VALUES,

    /** G = A / |A + I[|A| ≤ ε]| ∘ ∇L, lingvo's sign, which is close to A itself for |A| ≤ ε. */
    LINGVO_SIGN
}
