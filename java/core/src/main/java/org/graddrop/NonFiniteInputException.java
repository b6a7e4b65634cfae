package org.graddrop;

/**
 * Thrown under {@link NonFinitePolicy#REJECT} when a gradient or activation is NaN or infinite.
 * Nothing has been written when it is thrown.
 */
public class NonFiniteInputException extends IllegalArgumentException {

    private final String argument;
    private final long index;
    private final float value;

    public NonFiniteInputException(String argument, long index, float value) {
        super(argument + " contains the non-finite value " + value + " at index " + index
                + "; fix the input or use NonFinitePolicy.PROPAGATE to let it through");
        this.argument = argument;
        this.index = index;
        this.value = value;
    }

    /** "gradients[k]" or "activations". */
    public String argument() {
        return argument;
    }

    /** The flat index of the first bad value inside {@link #argument()}. */
    public long index() {
        return index;
    }

    public float value() {
        return value;
    }
}
