package org.graddrop.reference;

/**
 * The float32 exponential and sigmoid that every backend computes with the same operations, so the
 * keep probability has the same bits in Java, C and OpenCL. Platform {@code exp} functions differ
 * in their last bits, which would flip masks where f(P) is within an ulp of U.
 */
public final class DeterministicMath {

    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HIGH = 0.693145751953125f;
    private static final float LN2_LOW = 1.42860677e-6f;

    private DeterministicMath() {
    }

    /**
     * e^x for x in [−87, 88], by Cody–Waite reduction x = n ln 2 + r and a degree-7 Taylor
     * polynomial of e^r, each step one rounded float32 multiply or add. The relative error is below
     * 2e-7. The caller clamps x to the range.
     */
    public static float exp(float x) {
        float n = (float) Math.floor(x * LOG2E + 0.5f);
        float r = (x - n * LN2_HIGH) - n * LN2_LOW;

        float p = 1.0f / 5040.0f;
        p = p * r + 1.0f / 720.0f;
        p = p * r + 1.0f / 120.0f;
        p = p * r + 1.0f / 24.0f;
        p = p * r + 1.0f / 6.0f;
        p = p * r + 0.5f;
        p = p * r + 1.0f;
        p = p * r + 1.0f;

        float twoToN = Float.intBitsToFloat(((int) n + 127) << 23);
        return p * twoToN;
    }

    /** σ(x) = 1 / (1 + e^−x), with −x clamped to [−87, 88] where the float32 result no longer changes. */
    public static float sigmoid(float x) {
        float minusX = -x;
        if (minusX < -87.0f) {
            minusX = -87.0f;
        } else if (minusX > 88.0f) {
            minusX = 88.0f;
        }
        return 1.0f / (1.0f + exp(minusX));
    }
}
