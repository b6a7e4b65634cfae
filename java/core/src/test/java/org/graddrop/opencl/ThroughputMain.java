package org.graddrop.opencl;

import static org.graddrop.opencl.ClErrors.check;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.TaskGradients;
import org.jocl.CL;
import org.jocl.cl_event;

/**
 * A quick throughput check, not a benchmark: GradDrop with K = 4 and B·D = 16 Mi floats on the
 * selected OpenCL device, through host segments and through a device session, against a streaming
 * copy on the host and on the device in the same run. Compile time is excluded by a warm-up call.
 * The batch B defaults to 16; B = 1 is the unbatched [K, D] case.
 *
 * <p>Run after {@code mvn -B -q -pl java/core test-compile}, with PoCL's kernel cache kept under
 * target/:
 * <pre>{@code
 * mvn -B -q -pl java/core dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
 * POCL_CACHE_DIR=java/core/target/pocl-cache java --enable-native-access=ALL-UNNAMED \
 *     -cp java/core/target/classes:java/core/target/test-classes:$(cat java/core/target/classpath.txt) \
 *     org.graddrop.opencl.ThroughputMain [repetitions [batch]]
 * }</pre>
 */
public final class ThroughputMain {

    private static final int TASKS = 4;
    private static final long ELEMENTS = 1L << 24;

    private ThroughputMain() {
    }

    public static void main(String[] args) {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long batch = args.length > 1 ? Long.parseLong(args[1]) : 16;
        if (batch < 1 || ELEMENTS % batch != 0) {
            throw new IllegalArgumentException("batch must divide " + ELEMENTS + ", got " + batch);
        }
        long features = ELEMENTS / batch;
        long elements = ELEMENTS;
        long traffic = (TASKS + 1) * elements * Float.BYTES;
        OpenClBackend backend = OpenClBackend.instance();
        if (!backend.availability().available()) {
            System.out.println("no OpenCL device: " + backend.availability().detail());
            System.exit(2);
        }
        System.out.println("device: " + backend.selectedDevice().describe());
        System.out.printf("shape: K=%d B=%d D=%d, %d MiB moved per call (gradients read, output written)%n", TASKS, batch,
                features, traffic >> 20);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment gradients = arena.allocate(TASKS * elements * Float.BYTES, 4096);
            MemorySegment output = arena.allocate(elements * Float.BYTES, 4096);
            SplittableRandom random = new SplittableRandom(1);
            for (long i = 0; i < TASKS * elements; i++) {
                gradients.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian());
            }

            MemorySegment copySource = gradients.asSlice(0, traffic / 2);
            MemorySegment copyTarget = arena.allocate(traffic / 2, 4096);
            double[] hostCopy = time(repetitions, () -> MemorySegment.copy(copySource, 0, copyTarget, 0, traffic / 2));
            report("host streaming copy (MemorySegment.copy)", traffic, hostCopy);

            GradDrop graddrop = GradDrop.builder().backend("opencl").build();
            TaskGradients taskGradients = TaskGradients.of(gradients, TASKS, batch, features);
            long[] step = {0};
            Runnable segmentCall = () -> graddrop.apply(taskGradients, null, Noise.seeded(7, step[0]++), output);
            segmentCall.run();
            report("GradDrop.apply on host segments", traffic, time(repetitions, segmentCall));

            try (DeviceSession session = backend.openSession()) {
                DeviceTensor deviceGradients = session.upload(gradients);
                DeviceTensor deviceOutput = session.allocate(elements);
                DeviceTensor copyBuffer = session.allocate(traffic / 2 / Float.BYTES);
                Runnable deviceCopy = () -> {
                    cl_event event = new cl_event();
                    check(CL.clEnqueueCopyBuffer(session.context().queue(), deviceGradients.handle(), copyBuffer.handle(),
                            0, 0, traffic / 2, 0, null, event), "clEnqueueCopyBuffer");
                    check(CL.clWaitForEvents(1, new cl_event[] {event}), "clWaitForEvents");
                    CL.clReleaseEvent(event);
                };
                deviceCopy.run();
                report("device copy (clEnqueueCopyBuffer)", traffic, time(repetitions, deviceCopy));

                Runnable sessionCall = () -> session.apply(graddrop, deviceGradients, TASKS, batch, features, null,
                        Noise.seeded(7, step[0]++), deviceOutput);
                sessionCall.run();
                report("DeviceSession.apply on device tensors", traffic, time(repetitions, sessionCall));
            }
        }
    }

    /** Runs the action {@code repetitions} times and returns the sorted wall times in seconds. */
    private static double[] time(int repetitions, Runnable action) {
        double[] seconds = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            action.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds;
    }

    /** Prints the median and the best time, since other processes on a shared machine inflate the median. */
    private static void report(String label, long bytes, double[] seconds) {
        double median = seconds[seconds.length / 2];
        double best = seconds[0];
        System.out.printf("%-42s median %8.2f ms %7.2f GB/s, best %8.2f ms %7.2f GB/s%n", label, median * 1e3,
                bytes / median / 1e9, best * 1e3, bytes / best / 1e9);
    }
}
