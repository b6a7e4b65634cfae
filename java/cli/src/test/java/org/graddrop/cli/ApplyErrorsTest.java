package org.graddrop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.graddrop.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rejected command line of {@code graddrop apply}: exit status 2, one line on standard
 * error that names the option or file, and no output file left behind.
 */
class ApplyErrorsTest {

    @TempDir
    Path directory;

    private Path output() {
        return directory.resolve("out.npy");
    }

    /** Runs apply with the step-100 gradients, the output in the temporary directory and {@code options}. */
    private CliRun fails(String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("apply", "--gradients", CliRun.GRADIENTS.toString(), "--output",
                output().toString()));
        args.addAll(Arrays.asList(options));
        return failsExactly(args.toArray(String[]::new));
    }

    private CliRun failsExactly(String... args) throws IOException {
        CliRun run = CliRun.of(args);
        assertEquals(2, run.status(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("graddrop: "), run.err());
        assertEquals("", run.out());
        try (Stream<Path> files = Files.walk(directory)) {
            List<Path> left = files.filter(Files::isRegularFile).filter(path -> path.getFileName().toString().startsWith("out")
                    || path.getFileName().toString().startsWith(".out")).toList();
            assertEquals(List.of(), left, "no output may be left behind");
        }
        return run;
    }

    private Path file(String name, byte[] content) throws IOException {
        Path path = directory.resolve(name);
        Files.write(path, content);
        return path;
    }

    @Test
    void missingGradientsFile() throws IOException {
        Path missing = directory.resolve("absent.npy");
        CliRun run = failsExactly("apply", "--gradients", missing.toString(), "--output", output().toString());
        assertEquals("graddrop: --gradients " + missing + ": file not found\n", run.err());
    }

    @Test
    void missingActivationsFile() throws IOException {
        Path missing = directory.resolve("absent.npy");
        CliRun run = fails("--activations", missing.toString());
        assertEquals("graddrop: --activations " + missing + ": file not found\n", run.err());
    }

    @Test
    void directoryAsGradients() throws IOException {
        CliRun run = failsExactly("apply", "--gradients", directory.toString(), "--output", output().toString());
        assertEquals("graddrop: --gradients " + directory + ": is a directory, expected a .npy file\n", run.err());
    }

    @Test
    void malformedGradientsFile() throws IOException {
        Path bad = file("bad.npy", "not numpy at all".getBytes());
        CliRun run = failsExactly("apply", "--gradients", bad.toString(), "--output", output().toString());
        assertEquals("graddrop: --gradients " + bad + ": not a .npy file: it does not start with the magic string \\x93NUMPY\n",
                run.err());
    }

    @Test
    void truncatedGradientsFile() throws IOException {
        byte[] whole = Files.readAllBytes(CliRun.GRADIENTS);
        Path truncated = file("truncated.npy", Arrays.copyOf(whole, whole.length - 100));
        CliRun run = failsExactly("apply", "--gradients", truncated.toString(), "--output", output().toString());
        assertEquals("graddrop: --gradients " + truncated + ": truncated data: 49052 bytes after the header, expected 49152"
                + " for shape (3, 64, 64) of '<f4'\n", run.err());
    }

    @Test
    void integerGradientsFile() throws IOException {
        byte[] whole = Files.readAllBytes(CliRun.GRADIENTS);
        String text = new String(whole, java.nio.charset.StandardCharsets.ISO_8859_1).replaceFirst("<f4", "<i4");
        Path integers = file("integers.npy", text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        CliRun run = failsExactly("apply", "--gradients", integers.toString(), "--output", output().toString());
        assertTrue(run.err().startsWith("graddrop: --gradients " + integers + ": unsupported dtype '<i4'"), run.err());
    }

    @Test
    void gradientsWithoutTaskDimension() throws IOException {
        Path vector = directory.resolve("vector.npy");
        Npy.write(vector, new float[] {1, 2, 3}, 3);
        CliRun run = failsExactly("apply", "--gradients", vector.toString(), "--output", output().toString());
        assertEquals("graddrop: --gradients " + vector + " (3,): expected [K, B, ...] task gradients or a [K, D] task matrix,"
                + " got 1 dimension\n", run.err());
    }

    @Test
    void mismatchedActivations() throws IOException {
        CliRun run = fails("--activations", CliRun.PARAMETERS.toString());
        assertEquals("graddrop: --activations " + CliRun.PARAMETERS + ": shape (3, 16576) does not match (64, 64), the shape"
                + " of --gradients (3, 64, 64) without its task dimension\n", run.err());
    }

    @Test
    void uniformWithWrongCount() throws IOException {
        Path uniform = directory.resolve("u.npy");
        Npy.write(uniform, new float[10], 10);
        CliRun run = fails("--uniform", uniform.toString());
        assertEquals("graddrop: --uniform " + uniform + ": has 10 values (shape (10,)), expected 64: one per feature (D = 64)\n",
                run.err());
    }

    @Test
    void uniformOutsideUnitInterval() throws IOException {
        float[] values = new float[64];
        values[5] = 1.0f;
        Path uniform = directory.resolve("u.npy");
        Npy.write(uniform, values, 64);
        CliRun run = fails("--uniform", uniform.toString());
        assertEquals("graddrop: --uniform " + uniform + ": value 1.0 at index 5 is outside [0, 1)\n", run.err());
    }

    @Test
    void uniformWithSeed() throws IOException {
        CliRun run = fails("--uniform", "u.npy", "--seed", "1");
        assertEquals("graddrop: --uniform cannot be combined with --seed or --step: the noise comes either from a file or"
                + " from the seed\n", run.err());
    }

    @Test
    void badOptionValues() throws IOException {
        String[][] cases = {
            {"--leak", "2", "graddrop: invalid --leak '2': expected a number in [0, 1]"},
            {"--leak", "0,x,1", "graddrop: invalid --leak '0,x,1': expected a number in [0, 1], or one per task separated"
                    + " by commas such as 0,0.5,1"},
            {"--leak", "0,1.5,1", "graddrop: invalid --leak '0,1.5,1': leak 1 is 1.5, expected a number in [0, 1]"},
            {"--leak", "0,1", "graddrop: --leak has 2 values but --gradients " + CliRun.GRADIENTS + " has 3 tasks; give one"
                    + " leak for all tasks or one per task"},
            {"--seed", "x", "graddrop: invalid --seed 'x': expected an integer in [-2^63, 2^64 - 1]"},
            {"--step", "1.5", "graddrop: invalid --step '1.5': expected an integer in [-2^63, 2^64 - 1]"},
            {"--preset", "pcgrad", "graddrop: invalid --preset 'pcgrad': expected paper, libmtl, torchjd or lingvo"},
            {"--epsilon", "-1", "graddrop: invalid --epsilon '-1': expected a finite number at least 0, such as 1e-7"},
            {"--epsilon", "NaN", "graddrop: invalid --epsilon 'NaN': expected a finite number at least 0, such as 1e-7"},
            {"--keep-function", "cubic", "graddrop: --keep-function: invalid keep function 'cubic': expected identity,"
                    + " linear:K or sigmoid:K, for example sigmoid:2"},
            {"--backend", "cuda", "graddrop: invalid --backend 'cuda': expected auto, java, native or opencl"},
            {"--activation-values", "graddrop: --activation-values weighs gradients by the activations, so it needs"
                    + " --activations A.npy"},
            {"--preset", "torchjd", "graddrop: --preset torchjd takes a [K, D] task matrix, but --gradients "
                    + CliRun.GRADIENTS + " has shape (3, 64, 64); reshape it to [K, D] or use another preset"},
        };
        for (String[] c : cases) {
            CliRun run = fails(Arrays.copyOf(c, c.length - 1));
            assertEquals(c[c.length - 1], run.err().strip(), String.join(" ", c));
        }
    }

    @Test
    void torchjdWithActivations() throws IOException {
        CliRun run = failsExactly("apply", "--gradients", CliRun.PARAMETERS.toString(), "--activations",
                CliRun.ACTIVATIONS.toString(), "--output", output().toString(), "--preset", "torchjd");
        assertEquals("graddrop: --preset torchjd takes no activations; drop --activations or use another preset\n", run.err());
    }

    @Test
    void unknownOption() throws IOException {
        CliRun run = fails("--leek", "0.5");
        assertEquals("graddrop: unknown option '--leek' for 'graddrop apply'; run 'graddrop apply --help' for the list\n",
                run.err());
    }

    @Test
    void positionalArgument() throws IOException {
        CliRun run = fails("extra.npy");
        assertEquals("graddrop: unexpected argument 'extra.npy' for 'graddrop apply'; options start with --, run"
                + " 'graddrop apply --help' for the list\n", run.err());
    }

    @Test
    void missingValue() throws IOException {
        CliRun run = fails("--leak");
        assertEquals("graddrop: option --leak needs a value; run 'graddrop apply --help' for its form\n", run.err());
    }

    @Test
    void repeatedOption() throws IOException {
        CliRun run = fails("--seed", "1", "--seed=2");
        assertEquals("graddrop: option --seed is given more than once; give it once\n", run.err());
    }

    @Test
    void flagWithValue() throws IOException {
        CliRun run = fails("--stats=yes");
        assertEquals("graddrop: option --stats takes no value, got '--stats=yes'\n", run.err());
    }

    @Test
    void missingRequiredOutput() throws IOException {
        CliRun run = failsExactly("apply", "--gradients", CliRun.GRADIENTS.toString());
        assertEquals("graddrop: option --output is required; run 'graddrop apply --help' for its form\n", run.err());
    }

    @Test
    void outputDirectoryMissing() throws IOException {
        Path output = directory.resolve("absent").resolve("out.npy");
        CliRun run = failsExactly("apply", "--gradients", CliRun.GRADIENTS.toString(), "--output", output.toString());
        assertEquals("graddrop: --output " + output + ": the directory " + output.getParent() + " does not exist; create it"
                + " first\n", run.err());
    }

    @Test
    void outputIsDirectory() throws IOException {
        Path output = Files.createDirectory(directory.resolve("out.npy"));
        CliRun run = CliRun.of("apply", "--gradients", CliRun.GRADIENTS.toString(), "--output", output.toString());
        assertEquals(2, run.status());
        assertEquals("graddrop: --output " + output + ": is a directory; give a file name such as " + output.resolve("out.npy")
                + "\n", run.err());
    }

    @Test
    void taskOutputsIsAFile() throws IOException {
        Path file = file("tasks", new byte[0]);
        CliRun run = fails("--task-outputs", file.toString());
        assertEquals("graddrop: --task-outputs " + file + ": exists and is not a directory\n", run.err());
    }

    @Test
    void unknownCommand() throws IOException {
        CliRun run = failsExactly("fit");
        assertEquals("graddrop: unknown command 'fit': expected apply, probe, demo or help; run 'graddrop --help' for the"
                + " list\n", run.err());
    }

    @Test
    void readFailureLeavesExistingOutputUntouched() throws IOException {
        Path existing = directory.resolve("kept.npy");
        Npy.write(existing, new float[] {1, 2}, 2);
        byte[] before = Files.readAllBytes(existing);

        CliRun run = CliRun.of("apply", "--gradients", directory.resolve("absent.npy").toString(), "--output",
                existing.toString());

        assertEquals(2, run.status());
        assertEquals(List.of(before.length), List.of(Files.readAllBytes(existing).length));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(2.0f, Npy.read(existing, arena).get(1));
        }
    }
}
