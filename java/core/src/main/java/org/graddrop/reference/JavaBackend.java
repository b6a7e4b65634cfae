package org.graddrop.reference;

import org.graddrop.NonFinitePolicy;
import org.graddrop.Statistics;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Backend;
import org.graddrop.spi.Problem;

/**
 * The plain-Java reference backend: every option, on any JVM. It is the oracle that the native
 * and OpenCL backends match bit for bit, so its operation order is the one that
 * {@code docs/semantics.md} fixes.
 */
public final class JavaBackend implements Backend {

    private static final JavaBackend INSTANCE = new JavaBackend();

    private JavaBackend() {
    }

    public static JavaBackend instance() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public Availability availability() {
        return Availability.available("plain Java, single-threaded");
    }

    @Override
    public void checkSupported(Problem problem) {
        // The reference runs every option.
    }

    @Override
    public Statistics apply(Problem problem) {
        if (problem.nonFinite() == NonFinitePolicy.REJECT) {
            NonFiniteScan.requireFinite(problem);
        }
        ReferenceRun run = new ReferenceRun(problem);
        if (problem.marginalize()) {
            run.perFeature();
        } else {
            run.perElement();
        }
        run.rescale();
        return run.statistics();
    }
}
