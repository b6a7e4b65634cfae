package org.graddrop.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Reading files that NumPy wrote (see src/test/resources/npy/make_fixtures.py). */
class NpyReaderTest {

    /** Element i of every fixture, in C order, as make_fixtures.py computes it. */
    static float[] expectedValues(int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) ((i - 7.25) / 3);
        }
        return values;
    }

    static Path resource(String name) {
        try {
            return Path.of(NpyReaderTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4-le.npy", "f4-be.npy", "f8-le.npy", "f8-be.npy", "f4-le-fortran.npy",
            "f8-be-fortran.npy", "f4-le-v2.npy", "f4-le-v3.npy"})
    void everyLayoutReadsAsFloat32(String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            NpyArray array = Npy.read(resource("npy/" + name), arena);

            assertArrayEquals(new long[] {2, 3, 4}, array.shape());
            assertEquals(24, array.elementCount());
            assertArrayEquals(expectedValues(24), array.toArray());
        }
    }

    @Test
    void nativeFloat32IsMappedReadOnly() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            NpyArray array = Npy.read(resource("npy/f4-le.npy"), arena);

            assertTrue(array.data().isMapped(), "little-endian float32 should be mapped in place");
            assertTrue(array.data().isReadOnly());
        }
    }

    @Test
    void convertedDataAreWritable() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            NpyArray array = Npy.read(resource("npy/f8-be.npy"), arena);

            assertFalse(array.data().isMapped());
            assertFalse(array.data().isReadOnly());
        }
    }

    @Test
    void scalarAndVectorShapes() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            NpyArray scalar = Npy.read(resource("npy/f4-scalar.npy"), arena);
            assertArrayEquals(new long[0], scalar.shape());
            assertEquals(1.5f, scalar.get(0));
            assertEquals("()", scalar.shapeText());

            NpyArray vector = Npy.read(resource("npy/f4-vector.npy"), arena);
            assertArrayEquals(new long[] {5}, vector.shape());
            assertEquals("(5,)", vector.shapeText());
            assertArrayEquals(expectedValues(5), vector.toArray());
        }
    }

    @Test
    void streamReadMatchesFileRead() throws IOException {
        try (Arena arena = Arena.ofConfined();
             InputStream in = NpyReaderTest.class.getResourceAsStream("/npy/f8-be-fortran.npy")) {
            NpyArray array = Npy.read("f8-be-fortran.npy", in, arena);

            assertArrayEquals(new long[] {2, 3, 4}, array.shape());
            assertArrayEquals(expectedValues(24), array.toArray());
        }
    }

    @Test
    void digitsGradientsHaveTheirShapes() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            NpyArray activations = Npy.read(resource("digits/digits-step0100-b64-activations.npy"), arena);
            NpyArray gradients = Npy.read(resource("digits/digits-step0100-b64-task-gradients.npy"), arena);
            NpyArray parameters = Npy.read(resource("digits/digits-step0100-b64-parameter-gradients.npy"), arena);

            assertArrayEquals(new long[] {64, 64}, activations.shape());
            assertArrayEquals(new long[] {3, 64, 64}, gradients.shape());
            assertArrayEquals(new long[] {3, 16576}, parameters.shape());
            // First values and float64 sums as NumPy 2.4.6 printed them.
            assertEquals(0.8243628144264221f, activations.get(0));
            assertEquals(-0.000868995557539165f, gradients.get(0));
            assertEquals(7.334345355047844e-06f, gradients.get(gradients.elementCount() - 1));
            assertEquals(1889.791303170612, sum(activations), 1e-9);
            assertEquals(0.0817260919716496, sum(gradients), 1e-12);
            assertEquals(-4.666681545386798, sum(parameters), 1e-9);
        }
    }

    @Test
    void expectedShapeIsChecked() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path file = resource("npy/f4-le.npy");

            assertEquals(24, Npy.read(file, arena, 2, 3, 4).elementCount());
            NpyException e = assertThrows(NpyException.class, () -> Npy.read(file, arena, 3, 2, 4));
            assertEquals(NpyException.Reason.SHAPE_MISMATCH, e.reason());
            assertEquals(file + ": shape (2, 3, 4) does not match the expected (3, 2, 4)", e.getMessage());
        }
    }

    private static double sum(NpyArray array) {
        double sum = 0;
        for (long i = 0; i < array.elementCount(); i++) {
            sum += array.get(i);
        }
        return sum;
    }
}
