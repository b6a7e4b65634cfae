package org.graddrop.cli;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.graddrop.TaskGradients;
import org.graddrop.npy.NpyArray;

/**
 * The mapping of a gradient array's shape to GradDrop's K tasks, B examples and D features. A
 * [K, D] array is an unbatched matrix, and [K, B, d1, d2, …] is batched with the trailing
 * dimensions flattened to D.
 *
 * @param perTaskShape the shape without the task dimension: the shape of activations and output
 */
record GradientLayout(int tasks, long batch, long features, boolean batched, long[] perTaskShape) {

    static GradientLayout of(String option, NpyArray gradients) throws UsageException {
        long[] shape = gradients.shape();
        String described = option + " " + gradients.shapeText();
        if (shape.length < 2) {
            throw new UsageException(described + ": expected [K, B, ...] task gradients or a [K, D] task matrix, got "
                    + shape.length + " dimension" + (shape.length == 1 ? "" : "s"));
        }
        for (long dimension : shape) {
            if (dimension == 0) {
                throw new UsageException(described + ": every dimension must be at least 1");
            }
        }
        if (shape[0] > Integer.MAX_VALUE) {
            throw new UsageException(described + ": " + shape[0] + " tasks is more than " + Integer.MAX_VALUE);
        }

        long[] perTask = Arrays.copyOfRange(shape, 1, shape.length);
        if (shape.length == 2) {
            return new GradientLayout((int) shape[0], 1, shape[1], false, perTask);
        }
        long features = 1;
        for (int axis = 2; axis < shape.length; axis++) {
            features *= shape[axis];
        }
        return new GradientLayout((int) shape[0], shape[1], features, true, perTask);
    }

    TaskGradients view(MemorySegment block) {
        return batched ? TaskGradients.of(block, tasks, batch, features) : TaskGradients.ofMatrix(block, tasks, features);
    }

    long elementsPerTask() {
        return batch * features;
    }

    /** Returns the number of mask positions: D with the batch marginalized, B·D with a mask per example. */
    long positions(boolean perExampleMasks) {
        return perExampleMasks && batched ? elementsPerTask() : features;
    }

    String describe() {
        return batched ? tasks + " tasks × " + batch + " examples × " + features + " features"
                : tasks + " tasks × " + features + " features (a matrix without a batch dimension)";
    }

    @Override
    public long[] perTaskShape() {
        return perTaskShape.clone();
    }
}
