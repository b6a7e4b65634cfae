package org.graddrop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.graddrop.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the packaged jar with {@code java -jar}, as a user would. Runs in the integration-test phase. */
class JarIT {

    @TempDir
    Path directory;

    private record Result(int status, String out, String err) {
    }

    private static Result java(String... args) throws IOException, InterruptedException {
        return java(List.of(), Map.of(), args);
    }

    /** Runs the jar with extra JVM options and environment variables. */
    private static Result java(List<String> jvmOptions, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path jar = Path.of("target", "graddrop-cli.jar");
        assertTrue(Files.isRegularFile(jar), "the package phase should have built " + jar.toAbsolutePath());
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the jar did not exit");
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void demoRunsWithoutNativeAccessWarning() throws Exception {
        Result result = java();

        assertEquals(0, result.status(), result.err());
        assertTrue(result.out().contains("training step 400,"), result.out());
        // The manifest's Enable-Native-Access entry keeps the JDK from warning about restricted methods.
        assertTrue(!result.err().contains("restricted method"), result.err());
    }

    @Test
    void applyWritesOutputAndErrorsExitTwo() throws Exception {
        // Failsafe puts the jar, not a directory, on the class path, so the resource is copied to a file.
        Path gradients = directory.resolve("parameter-gradients.npy");
        try (var in = JarIT.class.getResourceAsStream("/org/graddrop/demo/digits-step0100-b64-parameter-gradients.npy")) {
            Files.copy(in, gradients);
        }
        Path output = directory.resolve("out.npy");
        Result ok = java("apply", "--gradients", gradients.toString(), "--output", output.toString(), "--preset",
                "torchjd");
        assertEquals(0, ok.status(), ok.err());
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(16576, Npy.read(output, arena).elementCount());
        }

        Result bad = java("apply", "--gradients", directory.resolve("absent.npy").toString(), "--output",
                directory.resolve("other.npy").toString());
        assertEquals(2, bad.status());
        assertEquals(List.of("graddrop: --gradients " + directory.resolve("absent.npy") + ": file not found"),
                bad.err().lines().toList());
        assertTrue(Files.notExists(directory.resolve("other.npy")));
    }

    @Test
    void unloadableNativeLibraryIsUsageError() throws Exception {
        Path gradients = copyParameterGradients();
        Path missing = directory.resolve("missing").resolve("libgraddrop.so");

        Result result = java(List.of("-Dgraddrop.native.path=" + missing), Map.of(), "apply", "--gradients",
                gradients.toString(), "--output", directory.resolve("out.npy").toString(), "--preset", "torchjd",
                "--backend", "native");

        assertEquals(2, result.status(), result.err());
        String error = lastLine(result.err());
        assertTrue(error.startsWith("graddrop: backend 'native' is unavailable: "), error);
        assertTrue(error.contains(missing.toString()), error);
        assertTrue(Files.notExists(directory.resolve("out.npy")));
    }

    @Test
    void missingOpenClPlatformIsUsageError() throws Exception {
        Path gradients = copyParameterGradients();
        // An empty vendor directory leaves the ICD loader without a platform: CL_PLATFORM_NOT_FOUND_KHR.
        Path vendors = Files.createDirectory(directory.resolve("no-vendors"));

        Result result = java(List.of(), Map.of("OCL_ICD_VENDORS", vendors.toString()), "apply", "--gradients",
                gradients.toString(), "--output", directory.resolve("out.npy").toString(), "--preset", "torchjd",
                "--backend", "opencl");

        assertEquals(2, result.status(), result.err());
        String error = lastLine(result.err());
        assertTrue(error.startsWith("graddrop: backend 'opencl' is unavailable: "), error);
        assertTrue(error.strip().endsWith("; choose another --backend or use --backend auto"), error);
        assertTrue(Files.notExists(directory.resolve("out.npy")));
    }

    private Path copyParameterGradients() throws IOException {
        Path gradients = directory.resolve("parameter-gradients.npy");
        try (var in = JarIT.class.getResourceAsStream("/org/graddrop/demo/digits-step0100-b64-parameter-gradients.npy")) {
            Files.copy(in, gradients);
        }
        return gradients;
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
