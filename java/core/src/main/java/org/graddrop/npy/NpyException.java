package org.graddrop.npy;

import java.io.IOException;

/**
 * Thrown when a {@code .npy} file cannot be read as float data of the expected shape. The message
 * is one line: the file, a colon and the problem.
 */
public class NpyException extends IOException {

    /** The kind of problem found in the file. */
    public enum Reason {
        /** The magic string, the version bytes or the header dictionary is invalid. */
        MALFORMED_HEADER,

        /** A format version other than 1.0, 2.0 or 3.0. */
        UNSUPPORTED_VERSION,

        /** A dtype other than little- or big-endian float32 or float64. */
        UNSUPPORTED_DTYPE,

        /** The file ends before the data that the header describes. */
        TRUNCATED_DATA,

        /** The file continues after the data that the header describes. */
        TRAILING_DATA,

        /** The array is well formed but its shape is not the one the caller needs. */
        SHAPE_MISMATCH
    }

    private final String file;
    private final Reason reason;
    private final String problem;

    public NpyException(String file, Reason reason, String problem) {
        super(file + ": " + oneLine(problem));
        this.file = file;
        this.reason = reason;
        this.problem = oneLine(problem);
    }

    /** The file or resource name, as the caller gave it. */
    public String file() {
        return file;
    }

    public Reason reason() {
        return reason;
    }

    /** The message without the file name. */
    public String problem() {
        return problem;
    }

    private static String oneLine(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n");
    }
}
