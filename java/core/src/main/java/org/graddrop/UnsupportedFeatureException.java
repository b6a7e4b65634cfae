package org.graddrop;

/**
 * Thrown by a backend that cannot compute a requested option, such as a custom keep function on
 * the native library. The backend never computes something else in its place.
 */
public class UnsupportedFeatureException extends RuntimeException {

    private final String backend;
    private final String feature;

    public UnsupportedFeatureException(String backend, String feature, String reason) {
        super("backend '" + backend + "' does not support " + feature + ": " + reason);
        this.backend = backend;
        this.feature = feature;
    }

    /** The name of the backend that rejected the call. */
    public String backend() {
        return backend;
    }

    /** The option it cannot run, for example "custom keep function". */
    public String feature() {
        return feature;
    }
}
