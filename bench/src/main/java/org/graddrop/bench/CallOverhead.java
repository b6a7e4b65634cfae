package org.graddrop.bench;

import java.util.concurrent.TimeUnit;
import org.graddrop.GradDrop;
import org.graddrop.Request;
import org.graddrop.Statistics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time per call on a tiny input, where fixed costs dominate: validation, backend selection, the
 * downcall or kernel launch. The shape is the digits example: K = 3 tasks, B = 64, D = 64.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class CallOverhead {

    static final int TASKS = 3;
    static final long BATCH = 64;
    static final long FEATURES = 64;

    @Param({"java"})
    public String backend;

    @Param({BackendSetup.BEST_TIER})
    public String tier;

    @Param({BackendSetup.DEFAULT_DEVICE})
    public String device;

    private Workload workload;
    private GradDrop graddrop;
    private Request request;

    @Setup(Level.Trial)
    public void setUp() {
        graddrop = BackendSetup.prepare(backend, tier, device);
        workload = Workload.batched(TASKS, BATCH, FEATURES);
        ReferenceCheck.requireReferenceOutput(graddrop, workload);
        request = workload.request(workload.output);
    }

    @Benchmark
    public Statistics apply() {
        return graddrop.apply(request);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        workload.close();
    }
}
