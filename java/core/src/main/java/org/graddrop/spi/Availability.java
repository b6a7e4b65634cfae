package org.graddrop.spi;

/**
 * Whether a backend can run on this machine, and if not, why.
 *
 * @param available true when the backend can run calls
 * @param detail    what was found (for example the tier or the device), or why it is unavailable
 *                  and what to install
 * @param cause     the original failure, kept for error messages; null when there is none
 */
public record Availability(boolean available, String detail, Throwable cause) {

    public static Availability available(String detail) {
        return new Availability(true, detail, null);
    }

    public static Availability unavailable(String reason, Throwable cause) {
        return new Availability(false, reason, cause);
    }
}
