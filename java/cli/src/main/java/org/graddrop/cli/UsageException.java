package org.graddrop.cli;

/**
 * A command line that cannot run as given: an unknown or invalid option, or an input file that is
 * missing or malformed. The tool prints the message as one line and exits with status 2.
 */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
