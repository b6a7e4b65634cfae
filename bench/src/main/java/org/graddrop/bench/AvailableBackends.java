package org.graddrop.bench;

import org.graddrop.backend.Backends;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Backend;

/**
 * Prints one line per backend, "name available|unavailable detail", so that bench/run.sh
 * benchmarks only the backends this machine can run.
 */
public final class AvailableBackends {

    private AvailableBackends() {
    }

    public static void main(String[] args) {
        for (Backend backend : Backends.all()) {
            Availability availability = backend.availability();
            System.out.println(backend.name() + "\t" + (availability.available() ? "available" : "unavailable") + "\t"
                    + availability.detail().replace('\t', ' ').replace('\n', ' '));
        }
    }
}
