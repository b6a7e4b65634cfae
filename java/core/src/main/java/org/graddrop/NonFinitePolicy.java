package org.graddrop;

/** What a call does with NaN or infinite gradients and activations. */
public enum NonFinitePolicy {
    /**
     * Let them flow through the arithmetic, as the Python implementations do. Explicit uniform
     * noise is not scanned either, so values outside [0, 1) simply take part in the comparisons.
     */
    PROPAGATE,

    /**
     * Scan the inputs first and throw {@link NonFiniteInputException} naming the first bad index,
     * writing nothing. Explicit uniform noise is also checked to lie in [0, 1).
     */
    REJECT
}
