package org.graddrop.npy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads {@code .npy} files and streams into native-order float32 segments. */
final class NpyReader {

    private NpyReader() {
    }

    static NpyArray read(Path path, Arena arena) throws IOException {
        String file = path.toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            byte[] first = readFully(channel, 0, (int) Math.min(fileSize, NpyHeader.PREAMBLE_V2));
            long[] preamble = NpyHeader.preamble(file, first, fileSize);
            int major = (int) preamble[0];
            long dictOffset = preamble[1];
            long dictLength = preamble[2];
            if (dictLength > Integer.MAX_VALUE - 16) {
                throw new NpyException(file, NpyException.Reason.MALFORMED_HEADER, "the header declares " + dictLength
                        + " bytes, more than a header can hold");
            }
            byte[] dict = readFully(channel, dictOffset, (int) dictLength);
            NpyHeader header = NpyHeader.parse(file, major, dict, dictOffset + dictLength);
            requireDataLength(file, header, fileSize);

            long bytes = header.dataBytes();
            // The data are mapped, not read, so a large file costs page cache instead of heap. A
            // mapping used in place is read-only and lives as long as the caller's arena.
            if (header.isNativeFloat32() && header.dataOffset() % Float.BYTES == 0) {
                MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, header.dataOffset(), bytes, arena);
                return new NpyArray(mapped.asReadOnly(), header.shape());
            }
            MemorySegment result = arena.allocate(ValueLayout.JAVA_FLOAT, header.elementCount());
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment source = channel.map(FileChannel.MapMode.READ_ONLY, header.dataOffset(), bytes, scratch);
                NpyConversion.toFloat32(header, source, result);
            }
            return new NpyArray(result, header.shape());
        }
    }

    static NpyArray read(String file, InputStream in, Arena arena) throws IOException {
        byte[] all = in.readAllBytes();
        byte[] first = java.util.Arrays.copyOf(all, Math.min(all.length, NpyHeader.PREAMBLE_V2));
        long[] preamble = NpyHeader.preamble(file, first, all.length);
        int dictOffset = (int) preamble[1];
        int dictLength = (int) preamble[2];
        byte[] dict = java.util.Arrays.copyOfRange(all, dictOffset, dictOffset + dictLength);
        NpyHeader header = NpyHeader.parse(file, (int) preamble[0], dict, dictOffset + dictLength);
        requireDataLength(file, header, all.length);

        MemorySegment source = MemorySegment.ofArray(all).asSlice(header.dataOffset(), header.dataBytes());
        MemorySegment result = arena.allocate(ValueLayout.JAVA_FLOAT, header.elementCount());
        NpyConversion.toFloat32(header, source, result);
        return new NpyArray(result, header.shape());
    }

    private static void requireDataLength(String file, NpyHeader header, long fileSize) throws NpyException {
        long expected = header.dataBytes();
        long actual = fileSize - header.dataOffset();
        if (actual < expected) {
            throw new NpyException(file, NpyException.Reason.TRUNCATED_DATA, "truncated data: " + actual
                    + " bytes after the header, expected " + expected + " for shape "
                    + NpyArray.shapeText(header.shape()) + " of '" + header.descr() + "'");
        }
        if (actual > expected) {
            throw new NpyException(file, NpyException.Reason.TRAILING_DATA, (actual - expected)
                    + " unexpected bytes after the data: shape " + NpyArray.shapeText(header.shape()) + " of '"
                    + header.descr() + "' needs " + expected + " bytes, the file has " + actual);
        }
    }

    private static byte[] readFully(FileChannel channel, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                break;
            }
        }
        return buffer.position() == length ? buffer.array() : java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }
}
