package org.graddrop.npy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * A float32 array read from a {@code .npy} file: native-order float32 values in C order, and the
 * shape. The segment belongs to the arena passed to the reader and may be a read-only mapping of
 * the file.
 *
 * @param data  the values, {@code elementCount() * 4} bytes
 * @param shape the dimensions, outermost first; empty for a scalar
 */
public record NpyArray(MemorySegment data, long[] shape) {

    public NpyArray {
        Objects.requireNonNull(data, "data must not be null");
        shape = shape.clone();
        long expected = Float.BYTES * elementCount(shape);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("data has " + data.byteSize() + " bytes, expected " + expected
                    + " for float32 shape " + shapeText(shape));
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The size of dimension {@code axis}. */
    public long dimension(int axis) {
        return shape[axis];
    }

    /** The product of the dimensions; 1 for a scalar. */
    public long elementCount() {
        return elementCount(shape);
    }

    /** Reads one value by flat C-order index; for tests and small tools, not for hot loops. */
    public float get(long index) {
        return data.getAtIndex(ValueLayout.JAVA_FLOAT, index);
    }

    /** Copies the values onto the heap. */
    public float[] toArray() {
        return data.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** The shape in NumPy's notation, for example {@code (3, 64, 64)} or {@code (5,)}. */
    public String shapeText() {
        return shapeText(shape);
    }

    /** Formats a shape in NumPy's notation, for example {@code (3, 64, 64)} or {@code (5,)}. */
    public static String shapeText(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return text.append(')').toString();
    }

    static long elementCount(long[] shape) {
        long count = 1;
        for (long dimension : shape) {
            count = Math.multiplyExact(count, dimension);
        }
        return count;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NpyArray array && data.equals(array.data) && Arrays.equals(shape, array.shape);
    }

    @Override
    public int hashCode() {
        return 31 * data.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "NpyArray[float32 " + shapeText() + "]";
    }
}
