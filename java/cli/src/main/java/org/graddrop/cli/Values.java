package org.graddrop.cli;

/** Parsers for option values that name the option and the expected form when they fail. */
final class Values {

    private Values() {
    }

    static float parseFloat(String option, String text, String expected) throws UsageException {
        try {
            return Float.parseFloat(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("invalid " + option + " '" + text + "': expected " + expected);
        }
    }

    /** Parses comma-separated leaks, each in [0, 1]. */
    static float[] parseLeaks(String text) throws UsageException {
        String[] parts = text.split(",", -1);
        float[] leaks = new float[parts.length];
        for (int k = 0; k < parts.length; k++) {
            try {
                leaks[k] = Float.parseFloat(parts[k].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("invalid --leak '" + text
                        + "': expected a number in [0, 1], or one per task separated by commas such as 0,0.5,1");
            }
            if (!(leaks[k] >= 0.0f && leaks[k] <= 1.0f)) {
                String badLeak = parts.length > 1 ? "leak " + k + " is " + parts[k].trim() + ", " : "";
                throw new UsageException("invalid --leak '" + text + "': " + badLeak + "expected a number in [0, 1]");
            }
        }
        return leaks;
    }

    /** Parses a 64-bit seed or step: a signed decimal, or an unsigned one up to 2^64 − 1. */
    static long parseLong64(String option, String text) throws UsageException {
        String trimmed = text.trim();
        try {
            return Long.parseLong(trimmed);
        } catch (NumberFormatException signed) {
            try {
                return Long.parseUnsignedLong(trimmed);
            } catch (NumberFormatException unsigned) {
                throw new UsageException("invalid " + option + " '" + text + "': expected an integer in [-2^63, 2^64 - 1]");
            }
        }
    }
}
