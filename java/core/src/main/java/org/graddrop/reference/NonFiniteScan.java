package org.graddrop.reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.graddrop.NonFiniteInputException;
import org.graddrop.spi.Problem;

/** The check behind {@link org.graddrop.NonFinitePolicy#REJECT}: gradients first, then activations. */
public final class NonFiniteScan {

    private NonFiniteScan() {
    }

    /** Throws {@link NonFiniteInputException} naming the first NaN or infinity in the problem's inputs. */
    public static void requireFinite(Problem problem) {
        long elements = problem.elements();
        for (int k = 0; k < problem.tasks(); k++) {
            requireFinite("gradients[" + k + "]", problem.gradients()[k], elements);
        }
        if (problem.activations() != null) {
            requireFinite("activations", problem.activations(), elements);
        }
    }

    private static void requireFinite(String argument, MemorySegment segment, long elements) {
        for (long i = 0; i < elements; i++) {
            float value = segment.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            if (!Float.isFinite(value)) {
                throw new NonFiniteInputException(argument, i, value);
            }
        }
    }
}
