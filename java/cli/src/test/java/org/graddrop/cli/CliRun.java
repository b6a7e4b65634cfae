package org.graddrop.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** One in-process run of the tool: its exit status and what it printed. */
record CliRun(int status, String out, String err) {

    static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<String> errLines() {
        return err.lines().toList();
    }

    /** A bundled digits file, such as {@code digits-step0100-b64-task-gradients.npy}. */
    static Path digits(String name) {
        try {
            return Path.of(CliRun.class.getResource("/org/graddrop/demo/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static final Path GRADIENTS = digits("digits-step0100-b64-task-gradients.npy");
    static final Path ACTIVATIONS = digits("digits-step0100-b64-activations.npy");
    static final Path PARAMETERS = digits("digits-step0100-b64-parameter-gradients.npy");
}
