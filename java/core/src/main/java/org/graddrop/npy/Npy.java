package org.graddrop.npy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads and writes NumPy {@code .npy} files as float32 segments.
 *
 * <p>The reader accepts format versions 1.0, 2.0 and 3.0 with dtype float32 or float64 in either
 * byte order, and C or Fortran order. It returns native-order float32 values in C order:
 * Fortran-order arrays are transposed into C order, and float64 values are rounded to the nearest
 * float32. A file that is already native-order float32 in C order is memory-mapped into the
 * caller's arena rather than copied. Any other file is converted into memory allocated from the
 * arena. Other dtypes (integers, float16, complex, structured) are rejected.
 *
 * <p>The writer produces little-endian float32 in C order, through a temporary file in the target's
 * directory that is renamed atomically over the target.
 */
public final class Npy {

    private Npy() {
    }

    /**
     * Reads {@code file}. The returned segment lives as long as {@code arena} and may be a
     * read-only mapping of the file.
     *
     * @throws NpyException if the file is malformed, truncated or not float32/float64
     * @throws IOException  if the file cannot be opened or read
     */
    public static NpyArray read(Path file, Arena arena) throws IOException {
        Objects.requireNonNull(file, "file must not be null");
        Objects.requireNonNull(arena, "arena must not be null");
        return NpyReader.read(file, arena);
    }

    /**
     * Reads {@code file} and checks that its shape is {@code expectedShape}.
     *
     * @throws NpyException with reason {@link NpyException.Reason#SHAPE_MISMATCH} if the shape differs
     */
    public static NpyArray read(Path file, Arena arena, long... expectedShape) throws IOException {
        NpyArray array = read(file, arena);
        requireShape(file.toString(), array, expectedShape);
        return array;
    }

    /**
     * Reads a {@code .npy} stream, such as a class-path resource, into memory allocated from
     * {@code arena}; {@code name} identifies the stream in error messages.
     */
    public static NpyArray read(String name, InputStream in, Arena arena) throws IOException {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(in, "input stream must not be null");
        Objects.requireNonNull(arena, "arena must not be null");
        return NpyReader.read(name, in, arena);
    }

    /** Throws {@link NpyException} with reason {@link NpyException.Reason#SHAPE_MISMATCH} unless {@code array} has {@code expectedShape}. */
    public static void requireShape(String file, NpyArray array, long... expectedShape) throws NpyException {
        if (!Arrays.equals(array.shape(), expectedShape)) {
            throw new NpyException(file, NpyException.Reason.SHAPE_MISMATCH, "shape " + array.shapeText()
                    + " does not match the expected " + NpyArray.shapeText(expectedShape));
        }
    }

    /**
     * Writes float32 values as a little-endian C-order {@code .npy} file, atomically: {@code file}
     * is replaced only once the whole file is on disk.
     *
     * @param data  native-order float32 values, C order, {@code product(shape) * 4} bytes
     * @param shape the dimensions, outermost first; none for a scalar
     * @throws IllegalArgumentException if the data size does not match the shape
     */
    public static void write(Path file, MemorySegment data, long... shape) throws IOException {
        Objects.requireNonNull(file, "file must not be null");
        Objects.requireNonNull(data, "data must not be null");
        Objects.requireNonNull(shape, "shape must not be null");
        NpyWriter.write(file, data, shape.clone());
    }

    /**
     * Returns the file that {@link #write} replaces for {@code target}: the file behind a symbolic
     * link, or the target itself. Throws if that file exists and is not a regular file.
     */
    public static Path replacedFile(Path target) throws IOException {
        Objects.requireNonNull(target, "target must not be null");
        return NpyWriter.replacedFile(target);
    }

    /** As {@link #write(Path, MemorySegment, long...)}, from a heap array. */
    public static void write(Path file, float[] data, long... shape) throws IOException {
        Objects.requireNonNull(data, "data must not be null");
        write(file, MemorySegment.ofArray(data), shape);
    }
}
