package org.graddrop;

/** What a call does with NaN or infinite gradients and activations. */
public enum NonFinitePolicy {
    /** Let them flow through the arithmetic, as the Python implementations do. */
    PROPAGATE,

    /** Scan the inputs first and throw {@link NonFiniteInputException} naming the first bad index, writing nothing. */
    REJECT
}
