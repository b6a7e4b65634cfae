package org.graddrop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.graddrop.ActivationMode;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.graddrop.Request;
import org.graddrop.Statistics;
import org.graddrop.TaskGradients;
import org.graddrop.npy.Npy;
import org.graddrop.npy.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graddrop apply} on the real digits gradients, compared with the library called directly. */
class ApplyCommandTest {

    @TempDir
    Path directory;

    /** What the library computes for the step-100 gradients [3, 64, 64] with {@code graddrop}. */
    private static float[] expected(GradDrop graddrop, boolean withActivations, Noise noise, MemorySegment[] taskOutputs,
                                    Statistics[] statistics) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            NpyArray gradients = Npy.read(CliRun.GRADIENTS, arena);
            NpyArray activations = Npy.read(CliRun.ACTIVATIONS, arena);
            MemorySegment output = arena.allocate(ValueLayout.JAVA_FLOAT, 64 * 64);
            Request request = Request.of(TaskGradients.of(gradients.data(), 3, 64, 64), noise, output)
                    .withActivations(withActivations ? activations.data() : null);
            if (taskOutputs != null) {
                request = request.withTaskOutputs(taskOutputs);
            }
            if (statistics != null) {
                request = request.withStatistics();
            }
            Statistics result = graddrop.apply(request);
            if (statistics != null) {
                statistics[0] = result;
            }
            return output.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private static float[] read(Path file, long... shape) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            NpyArray array = Npy.read(file, arena);
            assertArrayEquals(shape, array.shape(), file.toString());
            return array.toArray();
        }
    }

    private CliRun apply(Path output, String... options) {
        List<String> args = new ArrayList<>(List.of("apply", "--gradients", CliRun.GRADIENTS.toString(),
                "--output", output.toString()));
        args.addAll(List.of(options));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        return run;
    }

    @Test
    void defaultsMatchLibrary() throws IOException {
        Path output = directory.resolve("out.npy");

        apply(output, "--activations", CliRun.ACTIVATIONS.toString());

        GradDrop graddrop = GradDrop.builder().preset(Preset.PAPER).build();
        assertArrayEquals(expected(graddrop, true, Noise.seeded(0, 0), null, null), read(output, 64, 64));
    }

    @Test
    void withoutActivationsMatchesLibrary() throws IOException {
        Path output = directory.resolve("out.npy");

        apply(output, "--seed", "7", "--step", "100");

        GradDrop graddrop = GradDrop.builder().preset(Preset.PAPER).build();
        assertArrayEquals(expected(graddrop, false, Noise.seeded(7, 100), null, null), read(output, 64, 64));
    }

    @Test
    void optionCombinationsMatchLibrary() throws IOException {
        Path output = directory.resolve("out.npy");

        apply(output, "--activations", CliRun.ACTIVATIONS.toString(), "--preset", "libmtl", "--leak", "0.1,0.2,0.3",
                "--epsilon", "1e-6", "--keep-function", "sigmoid:2", "--seed", "-3", "--step", "18446744073709551615",
                "--per-example-masks", "--activation-values", "--keep-norm", "--backend", "java");

        GradDrop graddrop = GradDrop.builder().preset(Preset.LIBMTL).leaks(0.1f, 0.2f, 0.3f).epsilon(1e-6f)
                .keepFunction(KeepFunction.sigmoid(2)).marginalizeBatch(false).activationMode(ActivationMode.VALUES)
                .normMode(NormMode.KEEP).backend("java").build();
        assertArrayEquals(expected(graddrop, true, Noise.seeded(-3, -1), null, null), read(output, 64, 64));
    }

    @Test
    void lingvoPresetMatchesLibrary() throws IOException {
        Path output = directory.resolve("out.npy");

        apply(output, "--activations", CliRun.ACTIVATIONS.toString(), "--preset", "lingvo", "--leak", "0.5",
                "--keep-function", "linear:0.5", "--seed", "11");

        GradDrop graddrop = GradDrop.builder().preset(Preset.LINGVO).leak(0.5f).keepFunction(KeepFunction.linear(0.5f)).build();
        assertArrayEquals(expected(graddrop, true, Noise.seeded(11, 0), null, null), read(output, 64, 64));
    }

    @Test
    void uniformFileMatchesLibrary() throws IOException {
        float[] uniform = new float[64];
        for (int d = 0; d < uniform.length; d++) {
            uniform[d] = (d * 37 % 64) / 64.0f;
        }
        Path uniformFile = directory.resolve("u.npy");
        Npy.write(uniformFile, uniform, 64);
        Path output = directory.resolve("out.npy");

        apply(output, "--activations", CliRun.ACTIVATIONS.toString(), "--uniform", uniformFile.toString());

        GradDrop graddrop = GradDrop.builder().preset(Preset.PAPER).build();
        assertArrayEquals(expected(graddrop, true, Noise.explicit(uniform), null, null), read(output, 64, 64));
    }

    @Test
    void perExampleUniformTakesBatchShape() throws IOException {
        float[] uniform = new float[64 * 64];
        for (int i = 0; i < uniform.length; i++) {
            uniform[i] = (i * 101 % 4096) / 4096.0f;
        }
        Path uniformFile = directory.resolve("u.npy");
        Npy.write(uniformFile, uniform, 64, 64);
        Path output = directory.resolve("out.npy");

        apply(output, "--uniform", uniformFile.toString(), "--per-example-masks");

        GradDrop graddrop = GradDrop.builder().marginalizeBatch(false).build();
        assertArrayEquals(expected(graddrop, false, Noise.explicit(uniform), null, null), read(output, 64, 64));
    }

    @Test
    void taskOutputsMatchLibrary() throws IOException {
        Path output = directory.resolve("out.npy");
        Path tasks = directory.resolve("tasks").resolve("nested");

        apply(output, "--activations", CliRun.ACTIVATIONS.toString(), "--task-outputs", tasks.toString(), "--leak", "0.25");

        float[][] taskArrays = new float[3][64 * 64];
        MemorySegment[] taskOutputs = new MemorySegment[3];
        for (int k = 0; k < 3; k++) {
            taskOutputs[k] = MemorySegment.ofArray(taskArrays[k]);
        }
        GradDrop graddrop = GradDrop.builder().leak(0.25f).build();
        assertArrayEquals(expected(graddrop, true, Noise.seeded(0, 0), taskOutputs, null), read(output, 64, 64));
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(taskArrays[k], read(tasks.resolve("task-" + k + ".npy"), 64, 64), "task " + k);
        }
    }

    @Test
    void statsMatchLibrary() throws IOException {
        Path output = directory.resolve("out.npy");

        CliRun run = apply(output, "--activations", CliRun.ACTIVATIONS.toString(), "--stats", "--backend", "java");

        Statistics[] statistics = new Statistics[1];
        expected(GradDrop.builder().build(), true, Noise.seeded(0, 0), null, statistics);
        Statistics s = statistics[0];
        List<String> lines = run.out().lines().toList();
        assertEquals("backend            java", lines.get(0));
        assertEquals("mask positions     64 (one mask per feature, shared by the 64 examples)", lines.get(1));
        for (int k = 0; k < 3; k++) {
            String row = String.format(java.util.Locale.ROOT, "%-4d  %13.4f  (%2d of 64 positions)", k, s.keptFraction(k),
                    s.keptCounts()[k]);
            assertEquals(row, lines.get(3 + k));
        }
        assertEquals(String.format(java.util.Locale.ROOT, "conflict fraction  %.4f  (%d of 64 positions have both signs)",
                s.conflictFraction(), s.conflictCount()), lines.get(6));
        assertEquals(String.format(java.util.Locale.ROOT, "mean purity        %.4f", s.meanPurity()), lines.get(7));
        assertEquals("purity histogram (10 bins over [0, 1]):", lines.get(8));
        long[] histogram = s.histogram();
        long total = 0;
        for (int b = 0; b < 10; b++) {
            assertTrue(lines.get(9 + b).endsWith(" " + histogram[b]), lines.get(9 + b));
            total += histogram[b];
        }
        assertEquals(64, total);
        assertEquals(19, lines.size());
    }

    @Test
    void torchjdOnParameterMatrix() throws IOException {
        Path output = directory.resolve("out.npy");
        CliRun run = CliRun.of("apply", "--gradients", CliRun.PARAMETERS.toString(), "--output", output.toString(),
                "--preset", "torchjd", "--seed", "5", "--step", "100", "--stats");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("mask positions     16576 (one mask per feature)"), run.out());

        float[] expected;
        try (Arena arena = Arena.ofConfined()) {
            NpyArray matrix = Npy.read(CliRun.PARAMETERS, arena);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, 16576);
            GradDrop.builder().preset(Preset.TORCHJD).build()
                    .apply(TaskGradients.ofMatrix(matrix.data(), 3, 16576), null, Noise.seeded(5, 100), out);
            expected = out.toArray(ValueLayout.JAVA_FLOAT);
        }
        assertArrayEquals(expected, read(output, 16576));
    }

    @Test
    void trailingDimensionsAreFlattened() throws IOException {
        // [3, 64, 64] written as [3, 64, 8, 8] must give the same result, shaped [64, 8, 8].
        Path gradients = directory.resolve("g.npy");
        Path activations = directory.resolve("a.npy");
        try (Arena arena = Arena.ofConfined()) {
            Npy.write(gradients, Npy.read(CliRun.GRADIENTS, arena).data(), 3, 64, 8, 8);
            Npy.write(activations, Npy.read(CliRun.ACTIVATIONS, arena).data(), 64, 8, 8);
        }
        Path output = directory.resolve("out.npy");

        CliRun run = CliRun.of("apply", "--gradients", gradients.toString(), "--activations", activations.toString(),
                "--output", output.toString());

        assertEquals(0, run.status(), run.err());
        GradDrop graddrop = GradDrop.builder().build();
        assertArrayEquals(expected(graddrop, true, Noise.seeded(0, 0), null, null), read(output, 64, 8, 8));
    }

    @Test
    void replacesExistingOutput() throws IOException {
        Path output = directory.resolve("out.npy");
        java.nio.file.Files.writeString(output, "stale");

        apply(output, "--seed=1");

        GradDrop graddrop = GradDrop.builder().build();
        assertArrayEquals(expected(graddrop, false, Noise.seeded(1, 0), null, null), read(output, 64, 64));
        try (var files = java.nio.file.Files.list(directory)) {
            assertEquals(List.of(output), files.toList());
        }
    }
}
