package org.graddrop.npy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Converts raw {@code .npy} data of any supported dtype and order to native-order float32 in C order. */
final class NpyConversion {

    private NpyConversion() {
    }

    static void toFloat32(NpyHeader header, MemorySegment source, MemorySegment target) {
        long count = header.elementCount();
        boolean fortran = header.fortranOrder() && header.shape().length > 1;
        if (!fortran && header.elementBytes() == Float.BYTES) {
            ValueLayout.OfFloat layout = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(header.byteOrder());
            MemorySegment.copy(source, layout, 0, target, ValueLayout.JAVA_FLOAT, 0, count);
            return;
        }

        ValueLayout.OfFloat floats = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(header.byteOrder());
        ValueLayout.OfDouble doubles = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(header.byteOrder());
        boolean isDouble = header.elementBytes() == Double.BYTES;
        FortranIndex index = fortran ? new FortranIndex(header.shape()) : null;
        for (long c = 0; c < count; c++) {
            long at = index == null ? c : index.next();
            // float64 rounds to the nearest float32, as numpy's astype does; beyond its range it becomes ±infinity.
            float value = isDouble ? (float) source.getAtIndex(doubles, at) : source.getAtIndex(floats, at);
            target.setAtIndex(ValueLayout.JAVA_FLOAT, c, value);
        }
    }

    /**
     * Walks a Fortran-order array in C order: each call returns the Fortran-order index of the
     * next C-order element, starting with element 0.
     */
    private static final class FortranIndex {
        private final long[] shape;
        private final long[] strides;
        private final long[] position;
        private long offset;
        private boolean started;

        FortranIndex(long[] shape) {
            this.shape = shape;
            this.strides = new long[shape.length];
            this.position = new long[shape.length];
            long stride = 1;
            for (int axis = 0; axis < shape.length; axis++) {
                strides[axis] = stride;
                stride *= shape[axis];
            }
        }

        long next() {
            if (!started) {
                started = true;
                return 0;
            }
            // C order advances the last axis fastest and carries into the axes before it.
            int axis = shape.length - 1;
            position[axis]++;
            offset += strides[axis];
            while (axis > 0 && position[axis] == shape[axis]) {
                offset -= strides[axis] * shape[axis];
                position[axis] = 0;
                axis--;
                position[axis]++;
                offset += strides[axis];
            }
            return offset;
        }
    }
}
