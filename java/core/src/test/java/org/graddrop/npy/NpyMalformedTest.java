package org.graddrop.npy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a file can be unreadable, with the one-line message that names the file and the problem. */
class NpyMalformedTest {

    private static final String GOOD_DICT = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

    @TempDir
    Path directory;

    /** A version 1.0 file with the given dict and {@code dataBytes} zero bytes of data. */
    private static byte[] file(String dict, int dataBytes) {
        byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(text.length & 0xff);
        out.write(text.length >>> 8);
        out.writeBytes(text);
        out.writeBytes(new byte[dataBytes]);
        return out.toByteArray();
    }

    private NpyException readFails(byte[] content) throws IOException {
        Path path = directory.resolve("input.npy");
        Files.write(path, content);
        try (Arena arena = Arena.ofConfined()) {
            return assertThrows(NpyException.class, () -> Npy.read(path, arena));
        }
    }

    private String name() {
        return directory.resolve("input.npy").toString();
    }

    @Test
    void wellFormedFileReads() throws IOException {
        Path path = directory.resolve("input.npy");
        Files.write(path, file(GOOD_DICT, 24));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(6, Npy.read(path, arena).elementCount());
        }
    }

    @Test
    void badMagic() throws IOException {
        byte[] content = file(GOOD_DICT, 24);
        content[1] = 'X';
        NpyException e = readFails(content);
        assertEquals(NpyException.Reason.MALFORMED_HEADER, e.reason());
        assertEquals(name() + ": not a .npy file: it does not start with the magic string \\x93NUMPY", e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        NpyException e = readFails(new byte[0]);
        assertEquals(NpyException.Reason.MALFORMED_HEADER, e.reason());
        assertEquals(name() + ": not a .npy file: it does not start with the magic string \\x93NUMPY", e.getMessage());
    }

    @Test
    void endsInsidePreamble() throws IOException {
        NpyException e = readFails(Arrays.copyOf(file(GOOD_DICT, 24), 8));
        assertEquals(name() + ": the file ends inside the header preamble, after 8 bytes", e.getMessage());
    }

    @Test
    void unsupportedVersion() throws IOException {
        byte[] content = file(GOOD_DICT, 24);
        content[6] = 4;
        NpyException e = readFails(content);
        assertEquals(NpyException.Reason.UNSUPPORTED_VERSION, e.reason());
        assertEquals(name() + ": unsupported .npy format version 4.0: expected 1.0, 2.0 or 3.0", e.getMessage());
    }

    @Test
    void headerLongerThanFile() throws IOException {
        byte[] content = Arrays.copyOf(file(GOOD_DICT, 0), 30);
        NpyException e = readFails(content);
        assertEquals(name() + ": the header declares " + GOOD_DICT.length() + " bytes but the file has only 20 after the preamble",
                e.getMessage());
    }

    @Test
    void headerIsNotADict() throws IOException {
        NpyException e = readFails(file("descr: <f4", 24));
        assertEquals(NpyException.Reason.MALFORMED_HEADER, e.reason());
        assertEquals(name() + ": malformed header: expected '{' at character 0 of the header dict", e.getMessage());
    }

    @Test
    void headerMissingShape() throws IOException {
        NpyException e = readFails(file("{'descr': '<f4', 'fortran_order': False}", 24));
        assertEquals(name() + ": malformed header: the header dict has no 'shape' key", e.getMessage());
    }

    @Test
    void headerUnknownKey() throws IOException {
        NpyException e = readFails(file("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'extra': 1}", 24));
        assertEquals(name() + ": malformed header: unexpected key 'extra': expected only 'descr', 'fortran_order' and 'shape'",
                e.getMessage());
    }

    @Test
    void headerDuplicateKey() throws IOException {
        NpyException e = readFails(file("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", 24));
        assertEquals(name() + ": malformed header: the key 'descr' appears twice", e.getMessage());
    }

    @Test
    void headerBadShape() throws IOException {
        NpyException e = readFails(file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", 24));
        assertEquals(name() + ": malformed header: expected a non-negative integer in 'shape' at character 54", e.getMessage());
    }

    @Test
    void headerBadFortranOrder() throws IOException {
        NpyException e = readFails(file("{'descr': '<f4', 'fortran_order': 0, 'shape': (6,), }", 24));
        assertEquals(name() + ": malformed header: expected True or False for 'fortran_order' at character 34", e.getMessage());
    }

    @Test
    void headerMisquotedKey() throws IOException {
        NpyException e = readFails(file("{'descr: '<f4'", 24));
        assertEquals(name() + ": malformed header: expected ':' at character 10 of the header dict", e.getMessage());
    }

    @Test
    void headerUnterminatedString() throws IOException {
        NpyException e = readFails(file("{'descr': '<f4", 24));
        assertEquals(name() + ": malformed header: unterminated string at character 10", e.getMessage());
    }

    @Test
    void headerTextAfterDict() throws IOException {
        NpyException e = readFails(file(GOOD_DICT + " x", 24));
        assertEquals(name() + ": malformed header: unexpected text after the header dict at character 60", e.getMessage());
    }

    @Test
    void headerNewlineStaysOnOneLine() throws IOException {
        NpyException e = readFails(file("{'descr': '<f4',\n'fortran_order': False, 'shape': (6,), 'x\ny': 1}", 24));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertEquals(name() + ": malformed header: unexpected key 'x\\ny': expected only 'descr', 'fortran_order' and 'shape'",
                e.getMessage());
    }

    @Test
    void truncatedData() throws IOException {
        NpyException e = readFails(file(GOOD_DICT, 20));
        assertEquals(NpyException.Reason.TRUNCATED_DATA, e.reason());
        assertEquals(name() + ": truncated data: 20 bytes after the header, expected 24 for shape (2, 3) of '<f4'", e.getMessage());
    }

    @Test
    void trailingData() throws IOException {
        NpyException e = readFails(file(GOOD_DICT, 28));
        assertEquals(NpyException.Reason.TRAILING_DATA, e.reason());
        assertEquals(name() + ": 4 unexpected bytes after the data: shape (2, 3) of '<f4' needs 24 bytes, the file has 28",
                e.getMessage());
    }

    @Test
    void shapeOverflow() throws IOException {
        NpyException e = readFails(file("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0));
        assertEquals(name() + ": shape (4294967296, 4294967296) overflows a 64-bit byte count", e.getMessage());
    }

    @Test
    void unsupportedDtypesFromNumpy() throws IOException {
        String expected = ": expected float32 or float64 ('<f4', '>f4', '<f8' or '>f8'); convert with numpy's astype('<f4')";
        try (Arena arena = Arena.ofConfined()) {
            for (String[] fixture : new String[][] {{"i4.npy", "'<i4'"}, {"f2.npy", "'<f2'"}, {"structured.npy", "(a structured dtype)"}}) {
                Path path = NpyReaderTest.resource("npy/" + fixture[0]);
                NpyException e = assertThrows(NpyException.class, () -> Npy.read(path, arena), fixture[0]);
                assertEquals(NpyException.Reason.UNSUPPORTED_DTYPE, e.reason(), fixture[0]);
                assertEquals(path + ": unsupported dtype " + fixture[1] + expected, e.getMessage());
            }
        }
    }

    @Test
    void unsupportedComplexDtype() throws IOException {
        NpyException e = readFails(file("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }", 48));
        assertEquals(NpyException.Reason.UNSUPPORTED_DTYPE, e.reason());
        assertEquals("unsupported dtype '<c8': expected float32 or float64 ('<f4', '>f4', '<f8' or '>f8');"
                + " convert with numpy's astype('<f4')", e.problem());
    }

    @Test
    void missingFileIsNoSuchFile() {
        Path path = directory.resolve("absent.npy");
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(java.nio.file.NoSuchFileException.class, () -> Npy.read(path, arena));
        }
    }
}
