package org.graddrop;

/**
 * Conventions of the implementations that users compare against. Each preset fixes ε, the
 * purity form, the tie rule, the activation sign and norm keeping; options set on the builder
 * after the preset override it.
 */
public enum Preset {
    /** The paper's Algorithm 1 (Chen et al., NeurIPS 2020): ε = 0, ties drop both signs, zero gradients dropped. */
    PAPER,

    /** LibMTL's {@code weighting/GradDrop.py}: the paper's rule with ε = 1e-7 added to Σ|G|. */
    LIBMTL,

    /** TorchJD's {@code GradDrop} aggregator: a [K, D] matrix without activations or batch, ε = 0. */
    TORCHJD,

    /**
     * lingvo's {@code core/graddrop.py}: purity {@code ΣG / (2Σ|G| + ε)} with ε = 1e-7, the positive
     * sign wins ties, zero gradients are kept, the activation sign is {@code A / |A + I[|A| ≤ ε]|},
     * the keep function is linear(1) and the output is rescaled by lingvo's norm factor.
     */
    LINGVO;

    /** Parses a command-line name such as {@code libmtl}. */
    public static Preset parse(String name) {
        for (Preset preset : values()) {
            if (preset.name().equalsIgnoreCase(name)) {
                return preset;
            }
        }
        throw new IllegalArgumentException("invalid preset '" + name + "': expected one of paper, libmtl, torchjd, lingvo");
    }
}
