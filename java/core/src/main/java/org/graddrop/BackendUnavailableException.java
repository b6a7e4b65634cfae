package org.graddrop;

/**
 * Thrown when a backend that the caller pinned cannot run on this machine. The cause, when there
 * is one, is the original load or probe failure.
 */
public class BackendUnavailableException extends RuntimeException {

    private final String backend;

    public BackendUnavailableException(String backend, String reason, Throwable cause) {
        super("backend '" + backend + "' is unavailable: " + reason, cause);
        this.backend = backend;
    }

    public String backend() {
        return backend;
    }
}
