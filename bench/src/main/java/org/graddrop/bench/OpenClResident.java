package org.graddrop.bench;

import java.util.concurrent.TimeUnit;
import org.graddrop.GradDrop;
import org.graddrop.opencl.DeviceSession;
import org.graddrop.opencl.DeviceTensor;
import org.graddrop.opencl.OpenClBackend;
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
 * Calls per second of the OpenCL kernels with gradients, activations and output resident on the
 * device, so no transfer is timed. {@link GradDropThroughput} with backend "opencl" measures the
 * same call with the transfers included.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class OpenClResident {

    /** The OpenCL device, or "default" for the backend's own choice. */
    @Param({BackendSetup.DEFAULT_DEVICE})
    public String device;

    @Param({"2", "4", "8"})
    public int tasks;

    @Param({"4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
    public long elements;

    @Param({"batched", "unbatched"})
    public String layout;

    private Workload workload;
    private GradDrop graddrop;
    private DeviceSession session;
    private DeviceTensor gradients;
    private DeviceTensor activations;
    private DeviceTensor output;

    @Setup(Level.Trial)
    public void setUp() {
        graddrop = BackendSetup.prepare("opencl", BackendSetup.BEST_TIER, device);
        workload = Workload.create(tasks, elements, layout);
        session = OpenClBackend.instance().openSession();
        gradients = session.upload(workload.gradients);
        activations = workload.activations != null ? session.upload(workload.activations) : null;
        output = session.allocate(workload.elements());

        apply();
        output.download(workload.output);
        ReferenceCheck.requireReferenceOutput("opencl resident on " + session.device(), workload, workload.output);
    }

    @Benchmark
    public void apply() {
        session.apply(graddrop, gradients, tasks, workload.batch, workload.features, activations, workload.noise(), output);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        workload.close();
    }
}
