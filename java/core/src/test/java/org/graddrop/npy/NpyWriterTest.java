package org.graddrop.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing float32 files and reading them back. */
class NpyWriterTest {

    @TempDir
    Path directory;

    private List<String> filesInDirectory() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripKeepsShapeAndBits() throws IOException {
        float[] values = NpyReaderTest.expectedValues(24);
        values[3] = Float.NaN;
        values[4] = -0.0f;
        values[5] = Float.NEGATIVE_INFINITY;
        values[6] = Float.MIN_VALUE;
        Path path = directory.resolve("out.npy");

        Npy.write(path, values, 2, 3, 4);

        try (Arena arena = Arena.ofConfined()) {
            NpyArray array = Npy.read(path, arena);
            assertArrayEquals(new long[] {2, 3, 4}, array.shape());
            float[] read = array.toArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(read[i]), "index " + i);
            }
        }
    }

    @Test
    void headerMatchesNumpyBytes() throws IOException {
        // NumPy 2.4.6 wrote f4-le.npy from the same values, so the writer's bytes must equal it.
        Path path = directory.resolve("out.npy");
        Npy.write(path, NpyReaderTest.expectedValues(24), 2, 3, 4);

        assertArrayEquals(Files.readAllBytes(NpyReaderTest.resource("npy/f4-le.npy")), Files.readAllBytes(path));
    }

    @Test
    void dataStartIsAligned() {
        for (long[] shape : new long[][] {{}, {5}, {3, 64, 64}, {123456789, 987654321, 3, 3, 3, 3}}) {
            byte[] header = NpyWriter.header(shape);
            assertEquals(0, header.length % 64, NpyArray.shapeText(shape));
            assertEquals('\n', header[header.length - 1]);
        }
    }

    @Test
    void hugeHeaderUsesVersionTwo() throws IOException {
        // A dict over 65535 bytes needs the 4-byte header length of version 2.0.
        long[] shape = new long[30000];
        java.util.Arrays.fill(shape, 1);
        byte[] header = NpyWriter.header(shape);
        assertEquals(2, header[6]);
        assertEquals(0, header.length % 64);

        Path path = directory.resolve("many-dimensions.npy");
        Npy.write(path, new float[] {4.5f}, shape);
        try (Arena arena = Arena.ofConfined()) {
            NpyArray array = Npy.read(path, arena);
            assertArrayEquals(shape, array.shape());
            assertEquals(4.5f, array.get(0));
        }
    }

    @Test
    void scalarRoundTrip() throws IOException {
        Path path = directory.resolve("scalar.npy");
        Npy.write(path, new float[] {-2.0f});
        try (Arena arena = Arena.ofConfined()) {
            NpyArray array = Npy.read(path, arena);
            assertArrayEquals(new long[0], array.shape());
            assertEquals(-2.0f, array.get(0));
        }
    }

    @Test
    void offHeapSegmentRoundTrip() throws IOException {
        Path path = directory.resolve("big.npy");
        int count = (1 << 18) + 7;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(ValueLayout.JAVA_FLOAT, count);
            for (int i = 0; i < count; i++) {
                data.setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.5f);
            }

            Npy.write(path, data, count);

            NpyArray array = Npy.read(path, arena);
            assertEquals(count, array.elementCount());
            assertEquals(0.0f, array.get(0));
            assertEquals((count - 1) * 0.5f, array.get(count - 1));
            assertEquals(-1, array.data().mismatch(data));
        }
    }

    @Test
    void replacesExistingFileAndLeavesNoTemporary() throws IOException {
        Path path = directory.resolve("out.npy");
        Files.writeString(path, "old content");

        Npy.write(path, new float[] {1, 2}, 2);

        assertEquals(List.of("out.npy"), filesInDirectory());
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(new float[] {1, 2}, Npy.read(path, arena).toArray());
        }
    }

    @Test
    void sizeMismatchWritesNothing() throws IOException {
        Path path = directory.resolve("out.npy");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.write(path, new float[] {1, 2, 3}, 2, 2));

        assertEquals("data has 12 bytes, expected 16 for float32 shape (2, 2)", e.getMessage());
        assertEquals(List.of(), filesInDirectory());
    }

    @Test
    void missingDirectoryFails() {
        Path path = directory.resolve("absent").resolve("out.npy");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Npy.write(path, new float[] {1}, 1));
    }
}
