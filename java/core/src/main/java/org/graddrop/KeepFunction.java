package org.graddrop;

import java.util.Objects;

/**
 * The monotone function f that turns purity into the keep probability of positive gradients.
 * Identity, linear and sigmoid run on every backend; a custom function runs only on the Java
 * backend, and the other backends reject it with {@link UnsupportedFeatureException}.
 */
public final class KeepFunction {

    /** The kind of a keep function, as the backends dispatch on it. */
    public enum Kind { IDENTITY, LINEAR, SIGMOID, CUSTOM }

    /** A caller-supplied monotone increasing map from purity to keep probability. */
    @FunctionalInterface
    public interface Custom {
        float apply(float purity);
    }

    private static final KeepFunction IDENTITY = new KeepFunction(Kind.IDENTITY, 1.0f, null, "identity");

    private final Kind kind;
    private final float scale;
    private final Custom custom;
    private final String description;

    private KeepFunction(Kind kind, float scale, Custom custom, String description) {
        this.kind = kind;
        this.scale = scale;
        this.custom = custom;
        this.description = description;
    }

    /** f(P) = P. */
    public static KeepFunction identity() {
        return IDENTITY;
    }

    /** f(P) = ½ + k (P − ½); {@code k} must be finite. */
    public static KeepFunction linear(float k) {
        return new KeepFunction(Kind.LINEAR, requireFiniteScale(k), null, "linear:" + k);
    }

    /** f(P) = σ(4k (P − ½)); {@code k} must be finite. */
    public static KeepFunction sigmoid(float k) {
        return new KeepFunction(Kind.SIGMOID, requireFiniteScale(k), null, "sigmoid:" + k);
    }

    /** A caller-supplied function, run only by the Java backend. */
    public static KeepFunction custom(Custom function) {
        Objects.requireNonNull(function, "custom keep function must not be null");
        return new KeepFunction(Kind.CUSTOM, Float.NaN, function, "custom");
    }

    /**
     * Parses the command-line forms {@code identity}, {@code linear:K} and {@code sigmoid:K}.
     */
    public static KeepFunction parse(String text) {
        if (text.equals("identity")) {
            return identity();
        }
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        if (colon < 0 || !(name.equals("linear") || name.equals("sigmoid"))) {
            throw new IllegalArgumentException("invalid keep function '" + text + "': expected identity, linear:K or sigmoid:K, for example sigmoid:2");
        }
        float k;
        try {
            k = Float.parseFloat(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid keep function scale in '" + text + "': expected a number after the colon, for example linear:0.5");
        }
        return name.equals("linear") ? linear(k) : sigmoid(k);
    }

    private static float requireFiniteScale(float k) {
        if (!Float.isFinite(k)) {
            throw new IllegalArgumentException("keep function scale must be finite, got " + k);
        }
        return k;
    }

    public Kind kind() {
        return kind;
    }

    /** The scale k of linear and sigmoid functions; 1 for identity and NaN for custom ones. */
    public float scale() {
        return scale;
    }

    /** The caller's function, or null unless {@link #kind()} is {@link Kind#CUSTOM}. */
    public Custom custom() {
        return custom;
    }

    @Override
    public String toString() {
        return description;
    }
}
