package org.graddrop.npy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes little-endian float32 C-order {@code .npy} files. Each file is written to a temporary
 * file in the same directory and then atomically renamed, so the target is either absent, the old
 * file or the complete new one, never partial.
 */
final class NpyWriter {

    /** Values copied per write call. */
    private static final int CHUNK_FLOATS = 1 << 18;

    /** NumPy aligns the start of the data to 64 bytes. */
    private static final int ALIGNMENT = 64;

    private NpyWriter() {
    }

    static void write(Path target, MemorySegment data, long[] shape) throws IOException {
        long count;
        try {
            count = NpyArray.elementCount(shape);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + NpyArray.shapeText(shape) + " overflows a 64-bit element count");
        }
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("shape " + NpyArray.shapeText(shape) + " has a negative dimension");
            }
        }
        if (data.byteSize() != count * Float.BYTES) {
            throw new IllegalArgumentException("data has " + data.byteSize() + " bytes, expected " + count * Float.BYTES
                    + " for float32 shape " + NpyArray.shapeText(shape));
        }

        Path absolute = replacedFile(target);
        Path temporary = createTemporary(absolute);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                writeAll(channel, ByteBuffer.wrap(header(shape)));
                writeData(channel, data, count);
                channel.force(true);
            }
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * The file that a write to {@code target} replaces: the file a symbolic link points to, so the
     * link survives, or {@code target} itself. Throws if that file exists and is not a regular file,
     * because renaming over a device or a directory would destroy it.
     */
    static Path replacedFile(Path target) throws IOException {
        Path file = target.toAbsolutePath();
        for (int links = 0; Files.isSymbolicLink(file); links++) {
            if (links == 40) {
                throw new IOException(target + ": too many levels of symbolic links");
            }
            file = file.resolveSibling(Files.readSymbolicLink(file)).normalize();
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IOException(target + ": exists and is not a regular file; write to a regular .npy file");
        }
        return file;
    }

    /** The preamble and the padded header dict, version 1.0 unless the dict needs more than 65535 bytes. */
    static byte[] header(long[] shape) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + NpyArray.shapeText(shape) + ", }";
        int preamble = NpyHeader.PREAMBLE_V1;
        int length = padded(preamble, dict.length());
        if (length - preamble > 0xffff) {
            preamble = NpyHeader.PREAMBLE_V2;
            length = padded(preamble, dict.length());
        }
        int dictLength = length - preamble;

        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(NpyHeader.MAGIC);
        buffer.put((byte) (preamble == NpyHeader.PREAMBLE_V1 ? 1 : 2)).put((byte) 0);
        if (preamble == NpyHeader.PREAMBLE_V1) {
            buffer.putShort((short) dictLength);
        } else {
            buffer.putInt(dictLength);
        }
        buffer.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (buffer.position() < length - 1) {
            buffer.put((byte) ' ');
        }
        buffer.put((byte) '\n');
        return buffer.array();
    }

    private static int padded(int preamble, int dictLength) {
        int unpadded = preamble + dictLength + 1;
        return (unpadded + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeData(FileChannel channel, MemorySegment data, long count) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(count, CHUNK_FLOATS) * Float.BYTES);
        MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk);
        ValueLayout.OfFloat littleEndian = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(count - done, CHUNK_FLOATS);
            MemorySegment.copy(data, ValueLayout.JAVA_FLOAT_UNALIGNED, done * Float.BYTES, chunkSegment, littleEndian, 0, n);
            chunk.clear().limit(n * Float.BYTES);
            writeAll(channel, chunk);
            done += n;
        }
    }

    private static void writeAll(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Creates an empty, uniquely named, hidden file next to {@code target}, with the default permissions. */
    private static Path createTemporary(Path target) throws IOException {
        Path directory = target.getParent();
        String name = target.getFileName().toString();
        while (true) {
            Path candidate = directory.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.newByteChannel(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return candidate;
            } catch (FileAlreadyExistsException e) {
                // Another writer drew the same name; draw again.
            }
        }
    }
}
