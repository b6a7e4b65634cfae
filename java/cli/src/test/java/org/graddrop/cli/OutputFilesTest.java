package org.graddrop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output paths that would destroy data: inputs, links, special files and clashing task files. */
class OutputFilesTest {

    @TempDir
    Path directory;

    private Path copyOfGradients() throws IOException {
        return Files.copy(CliRun.GRADIENTS, directory.resolve("gradients.npy"));
    }

    private static void assertUsageError(CliRun run, String expectedStart) {
        assertEquals(2, run.status(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith(expectedStart), run.err());
    }

    @Test
    void outputEqualToGradientsRejected() throws IOException {
        Path gradients = copyOfGradients();
        byte[] before = Files.readAllBytes(gradients);

        CliRun run = CliRun.of("apply", "--gradients", gradients.toString(), "--output", gradients.toString());

        assertUsageError(run, "graddrop: --output " + gradients + ": is also the --gradients file");
        assertArrayEquals(before, Files.readAllBytes(gradients));
    }

    @Test
    void outputLinkToGradientsRejected() throws IOException {
        Path gradients = copyOfGradients();
        Path link = Files.createSymbolicLink(directory.resolve("link.npy"), gradients);

        CliRun run = CliRun.of("apply", "--gradients", gradients.toString(), "--output", link.toString());

        assertUsageError(run, "graddrop: --output " + link + ": is also the --gradients file");
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void taskOutputEqualToGradientsRejected() throws IOException {
        Path tasks = Files.createDirectory(directory.resolve("tasks"));
        Path gradients = Files.copy(CliRun.GRADIENTS, tasks.resolve(OutputFiles.taskFileName(1)));
        byte[] before = Files.readAllBytes(gradients);

        CliRun run = CliRun.of("apply", "--gradients", gradients.toString(), "--output",
                directory.resolve("out.npy").toString(), "--task-outputs", tasks.toString());

        assertUsageError(run, "graddrop: --task-outputs " + gradients + ": is also the --gradients file");
        assertArrayEquals(before, Files.readAllBytes(gradients));
        assertFalse(Files.exists(tasks.resolve(OutputFiles.taskFileName(0))));
    }

    @Test
    void outputClashingWithTaskOutputRejected() throws IOException {
        Path tasks = Files.createDirectory(directory.resolve("tasks"));
        Path clash = tasks.resolve(OutputFiles.taskFileName(0));

        CliRun run = CliRun.of("apply", "--gradients", CliRun.GRADIENTS.toString(), "--output", clash.toString(),
                "--task-outputs", tasks.toString());

        assertUsageError(run, "graddrop: --output " + clash + ": is also written by --task-outputs");
        assertFalse(Files.exists(clash));
    }

    @Test
    void outputThroughLinkKeepsLink() throws IOException {
        Path real = directory.resolve("real.npy");
        Path link = Files.createSymbolicLink(directory.resolve("link.npy"), real);

        CliRun run = CliRun.of("apply", "--gradients", CliRun.GRADIENTS.toString(), "--output", link.toString());

        assertEquals(0, run.status(), run.err());
        assertTrue(Files.isSymbolicLink(link), "the link must survive");
        assertTrue(Files.isRegularFile(real), "the output goes to the file behind the link");
    }

    @Test
    void specialFileOutputRejected() throws IOException, InterruptedException {
        Path fifo = directory.resolve("fifo.npy");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, mkfifo.exitValue(), "mkfifo failed");

        CliRun run = CliRun.of("apply", "--gradients", CliRun.GRADIENTS.toString(), "--output", fifo.toString());

        assertUsageError(run, "graddrop: --output " + fifo + ": exists and is not a regular file");
        assertFalse(Files.isRegularFile(fifo), "the special file must stay as it was");
    }

    @Test
    void taskFileThatIsDirectoryRejectedUpFront() throws IOException {
        Path tasks = Files.createDirectory(directory.resolve("tasks"));
        Files.createDirectory(tasks.resolve(OutputFiles.taskFileName(1)));
        Path output = directory.resolve("out.npy");

        CliRun run = CliRun.of("apply", "--gradients", CliRun.GRADIENTS.toString(), "--output", output.toString(),
                "--task-outputs", tasks.toString());

        assertUsageError(run, "graddrop: --task-outputs " + tasks.resolve(OutputFiles.taskFileName(1)));
        assertFalse(Files.exists(tasks.resolve(OutputFiles.taskFileName(0))), "no task file may be written");
        assertFalse(Files.exists(output));
    }

    @Test
    void taskOutputsUnderRegularFileRejected() throws IOException {
        Path file = Files.writeString(directory.resolve("afile"), "x");
        Path output = directory.resolve("out.npy");

        CliRun run = CliRun.of("apply", "--gradients", CliRun.GRADIENTS.toString(), "--output", output.toString(),
                "--task-outputs", file.resolve("sub").toString());

        assertUsageError(run, "graddrop: --task-outputs " + file.resolve("sub") + ": ");
        assertFalse(Files.exists(output));
    }
}
