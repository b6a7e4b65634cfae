package org.graddrop.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * The memory bandwidth that a GradDrop call of the same shape could reach: a
 * {@link MemorySegment#copy} whose bytes read plus bytes written equal one GradDrop pass's traffic
 * (K + 1 tensors read and one written when batched, K read and one written when not). Dividing a
 * backend's bytes per second by this one gives its fraction of the streaming bandwidth.
 *
 * <p>The copy runs on one thread or split over every available processor; the results page takes
 * the faster of the two at each size.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class StreamingBaseline {

    @Param({"2", "4", "8"})
    public int tasks;

    @Param({"4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
    public long elements;

    @Param({"batched", "unbatched"})
    public String layout;

    /** "1" or "all" (every available processor). */
    @Param({"1", "all"})
    public String threads;

    private Arena arena;
    private MemorySegment source;
    private MemorySegment destination;
    private MemorySegment[] sourceChunks;
    private MemorySegment[] destinationChunks;
    private ExecutorService pool;

    @Setup(Level.Trial)
    public void setUp() {
        int tensors = tasks + (layout.equals("batched") ? 1 : 0) + 1;
        if (!layout.equals("batched") && !layout.equals("unbatched")) {
            throw new IllegalArgumentException("invalid layout '" + layout + "': expected batched or unbatched");
        }
        long trafficBytes = tensors * elements * Float.BYTES;
        long copyBytes = trafficBytes / 2;

        arena = Arena.ofShared();
        source = arena.allocate(copyBytes, Workload.ALIGNMENT);
        destination = arena.allocate(copyBytes, Workload.ALIGNMENT);
        source.fill((byte) 0x5a);

        int workers = switch (threads) {
            case "1" -> 1;
            case "all" -> Runtime.getRuntime().availableProcessors();
            default -> throw new IllegalArgumentException("invalid threads '" + threads + "': expected 1 or all");
        };
        splitIntoChunks(copyBytes, workers);
        pool = workers > 1 ? Executors.newFixedThreadPool(workers - 1) : null;

        copy();
        ReferenceCheck.requireEqual("streaming copy", destination, source);
    }

    @Benchmark
    public void copy() {
        if (pool == null) {
            MemorySegment.copy(source, 0, destination, 0, source.byteSize());
            return;
        }

        // The calling thread copies the last chunk while the pool copies the others.
        List<Future<?>> pending = new ArrayList<>(sourceChunks.length - 1);
        for (int i = 0; i < sourceChunks.length - 1; i++) {
            MemorySegment from = sourceChunks[i];
            MemorySegment to = destinationChunks[i];
            pending.add(pool.submit(() -> MemorySegment.copy(from, 0, to, 0, from.byteSize())));
        }
        int last = sourceChunks.length - 1;
        MemorySegment.copy(sourceChunks[last], 0, destinationChunks[last], 0, sourceChunks[last].byteSize());
        for (Future<?> future : pending) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a copy chunk", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a copy chunk failed", e.getCause());
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
        arena.close();
    }

    /** Splits the copy into {@code workers} chunks, each a multiple of the alignment except the last. */
    private void splitIntoChunks(long copyBytes, int workers) {
        long chunk = Math.ceilDiv(Math.ceilDiv(copyBytes, workers), Workload.ALIGNMENT) * Workload.ALIGNMENT;
        List<MemorySegment> sources = new ArrayList<>();
        List<MemorySegment> destinations = new ArrayList<>();
        for (long offset = 0; offset < copyBytes; offset += chunk) {
            long length = Math.min(chunk, copyBytes - offset);
            sources.add(source.asSlice(offset, length));
            destinations.add(destination.asSlice(offset, length));
        }
        sourceChunks = sources.toArray(MemorySegment[]::new);
        destinationChunks = destinations.toArray(MemorySegment[]::new);
    }
}
