package org.graddrop.npy;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The parsed header of a {@code .npy} file: the format version, the dtype, the memory order and
 * the shape, with the offset where the data start.
 *
 * <p>The layout (NumPy's {@code numpy.lib.format}): the magic string {@code \x93NUMPY}, one byte
 * each of major and minor version, the header length as a little-endian uint16 (version 1.0) or
 * uint32 (2.0 and 3.0), then a Python dict literal with the keys {@code descr},
 * {@code fortran_order} and {@code shape}. Version 3.0 encodes the dict in UTF-8, the others in
 * Latin-1.
 */
record NpyHeader(int majorVersion, int elementBytes, ByteOrder byteOrder, String descr, boolean fortranOrder,
                 long[] shape, long dataOffset) {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Bytes before the dict in version 1.0; versions 2.0 and 3.0 have two more. */
    static final int PREAMBLE_V1 = 10;
    static final int PREAMBLE_V2 = 12;

    NpyHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    long elementCount() {
        return NpyArray.elementCount(shape);
    }

    long dataBytes() {
        return Math.multiplyExact(elementCount(), (long) elementBytes);
    }

    /** True when the data are already native-order float32 in C order, so they can be used in place. */
    boolean isNativeFloat32() {
        boolean cOrder = !fortranOrder || shape.length <= 1;
        return elementBytes == Float.BYTES && byteOrder == ByteOrder.nativeOrder() && cOrder;
    }

    /**
     * Reads the format version and the header dict's offset and length from the first bytes of the file.
     *
     * @param first    the first {@code min(fileSize, 12)} bytes of the file
     * @param fileSize the total size, to report a file that ends inside the preamble
     * @return {@code {majorVersion, dictOffset, dictLength}}
     */
    static long[] preamble(String file, byte[] first, long fileSize) throws NpyException {
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= first.length || first[i] != MAGIC[i]) {
                throw new NpyException(file, NpyException.Reason.MALFORMED_HEADER,
                        "not a .npy file: it does not start with the magic string \\x93NUMPY");
            }
        }
        if (first.length < PREAMBLE_V1) {
            throw new NpyException(file, NpyException.Reason.MALFORMED_HEADER,
                    "the file ends inside the header preamble, after " + fileSize + " bytes");
        }

        int major = first[6] & 0xff;
        int minor = first[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new NpyException(file, NpyException.Reason.UNSUPPORTED_VERSION, "unsupported .npy format version "
                    + major + "." + minor + ": expected 1.0, 2.0 or 3.0");
        }

        long dictLength;
        int dictOffset;
        if (major == 1) {
            dictLength = (first[8] & 0xff) | (first[9] & 0xff) << 8;
            dictOffset = PREAMBLE_V1;
        } else {
            if (first.length < PREAMBLE_V2) {
                throw new NpyException(file, NpyException.Reason.MALFORMED_HEADER,
                        "the file ends inside the header preamble, after " + fileSize + " bytes");
            }
            dictLength = (first[8] & 0xffL) | (first[9] & 0xffL) << 8 | (first[10] & 0xffL) << 16
                    | (first[11] & 0xffL) << 24;
            dictOffset = PREAMBLE_V2;
        }
        if (dictOffset + dictLength > fileSize) {
            throw new NpyException(file, NpyException.Reason.MALFORMED_HEADER, "the header declares " + dictLength
                    + " bytes but the file has only " + (fileSize - dictOffset) + " after the preamble");
        }
        return new long[] {major, dictOffset, dictLength};
    }

    /** Parses the dict that follows the preamble. */
    static NpyHeader parse(String file, int majorVersion, byte[] dictBytes, long dataOffset) throws NpyException {
        String text = new String(dictBytes, majorVersion == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        HeaderDict dict = HeaderDict.parse(file, text);

        String descr = dict.descr();
        ByteOrder order;
        String type;
        char first = descr.isEmpty() ? ' ' : descr.charAt(0);
        switch (first) {
            case '<' -> {
                order = ByteOrder.LITTLE_ENDIAN;
                type = descr.substring(1);
            }
            case '>' -> {
                order = ByteOrder.BIG_ENDIAN;
                type = descr.substring(1);
            }
            case '=' -> {
                order = ByteOrder.nativeOrder();
                type = descr.substring(1);
            }
            default -> {
                order = ByteOrder.nativeOrder();
                type = descr;
            }
        }
        int elementBytes = switch (type) {
            case "f4" -> Float.BYTES;
            case "f8" -> Double.BYTES;
            default -> throw unsupportedDtype(file, "'" + descr + "'");
        };

        long[] shape = dict.shape();
        try {
            Math.multiplyExact(NpyArray.elementCount(shape), (long) elementBytes);
        } catch (ArithmeticException e) {
            throw new NpyException(file, NpyException.Reason.MALFORMED_HEADER, "shape "
                    + NpyArray.shapeText(shape) + " overflows a 64-bit byte count");
        }
        return new NpyHeader(majorVersion, elementBytes, order, descr, dict.fortranOrder(), shape, dataOffset);
    }

    static NpyException unsupportedDtype(String file, String dtype) {
        return new NpyException(file, NpyException.Reason.UNSUPPORTED_DTYPE, "unsupported dtype " + dtype
                + ": expected float32 or float64 ('<f4', '>f4', '<f8' or '>f8'); convert with numpy's astype('<f4')");
    }
}
