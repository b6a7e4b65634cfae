package org.graddrop.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.Preset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** One GradDrop instance used from several threads at once returns what sequential calls return. */
@Tag("conformance")
class ConcurrentUseTest {

    private static final int THREADS = 4;
    private static final int CALLS_PER_THREAD = 6;

    @Test
    void concurrentCallsMatchSequential() throws Exception {
        GradDrop graddrop = Settings.of(Preset.PAPER).withLeaks(0.1f).withHistogramBins(16).builder().build();
        int calls = THREADS * CALLS_PER_THREAD;
        List<Data> inputs = new ArrayList<>();
        List<Noise> noises = new ArrayList<>();
        List<Runs.Result> sequential = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            int features = i % 3 == 0 ? 4500 : 100 + 37 * i;
            inputs.add(Data.random(900 + i, 1 + i % 4, 1 + i % 3, features, true, i % 2 == 0));
            noises.add(i % 2 == 0 ? Noise.seeded(i, 7) : Noise.explicit(Uniforms.random(features, i)));
            sequential.add(Runs.run(graddrop, inputs.get(i), noises.get(i)));
        }

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Runs.Result>> futures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int call = i;
                Callable<Runs.Result> task = () -> {
                    start.await();
                    return Runs.run(graddrop, inputs.get(call), noises.get(call));
                };
                futures.add(pool.submit(task));
            }
            start.countDown();

            for (int i = 0; i < calls; i++) {
                Checks.assertSameBits(sequential.get(i), futures.get(i).get(), "call " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
