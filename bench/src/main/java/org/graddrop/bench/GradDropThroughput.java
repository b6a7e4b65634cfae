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
 * Calls per second of one GradDrop call on host memory, per backend, task count, size and layout.
 * For OpenCL this includes the transfers to and from the device. Throughput in bytes is calls per
 * second times {@link Workload#trafficBytes()}; bench/run.sh computes it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class GradDropThroughput {

    /** "java", "native" or "opencl"; the same call site runs every backend. */
    @Param({"java"})
    public String backend;

    /** The native SIMD tier cap ("scalar", "sse2", "avx2", "avx512", "neon"), or "best". */
    @Param({BackendSetup.BEST_TIER})
    public String tier;

    /** The OpenCL device, or "default" for the backend's own choice. */
    @Param({BackendSetup.DEFAULT_DEVICE})
    public String device;

    @Param({"2", "4", "8"})
    public int tasks;

    /** B·D floats per task: 4 Ki to 64 Mi. */
    @Param({"4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
    public long elements;

    /** "batched" (B = 256, with activations) or "unbatched" (a [K, D] matrix without activations). */
    @Param({"batched", "unbatched"})
    public String layout;

    private Workload workload;
    private GradDrop graddrop;
    private Request request;

    @Setup(Level.Trial)
    public void setUp() {
        graddrop = BackendSetup.prepare(backend, tier, device);
        workload = Workload.create(tasks, elements, layout);
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
