package org.graddrop.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graddrop.npy.Npy;

/**
 * The files that {@code apply} writes, checked before any work: each must be creatable, must not be
 * a device, directory or other special file, and must not be one of the input files, so a call
 * never overwrites its own input. Writing removes the files it already wrote when a later one fails.
 */
final class OutputFiles {

    /** Option name and file, in the order they are written. */
    private final Map<Path, String> targets;

    private OutputFiles(Map<Path, String> targets) {
        this.targets = targets;
    }

    /** Checks the output file and, with {@code --task-outputs}, the {@code tasks} task files. */
    static OutputFiles plan(ApplyOptions options, int tasks) throws UsageException {
        Map<Path, String> inputs = new LinkedHashMap<>();
        addInput(inputs, "--gradients", options.gradients());
        addInput(inputs, "--activations", options.activations());
        addInput(inputs, "--uniform", options.uniform());

        Map<Path, String> targets = new LinkedHashMap<>();
        if (options.taskOutputs() != null) {
            requireCreatableDirectory(options.taskOutputs());
            for (int k = 0; k < tasks; k++) {
                addTarget(targets, inputs, "--task-outputs", options.taskOutputs().resolve(taskFileName(k)));
            }
        }
        addTarget(targets, inputs, "--output", options.output());
        return new OutputFiles(targets);
    }

    static String taskFileName(int task) {
        return "task-" + task + ".npy";
    }

    /**
     * Writes {@code data[i]} to the i-th planned file; on a failure, deletes the files this call
     * already wrote and names the option whose file failed.
     */
    void write(List<MemorySegment> data, long[] shape) throws UsageException {
        List<Path> written = new ArrayList<>();
        int index = 0;
        for (Map.Entry<Path, String> target : targets.entrySet()) {
            try {
                Npy.write(target.getKey(), data.get(index++), shape);
                written.add(target.getKey());
            } catch (IOException e) {
                for (Path file : written) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException ignored) {
                        // The original failure is the one to report.
                    }
                }
                throw new UsageException(target.getValue() + " " + target.getKey() + ": write failed: " + e.getMessage()
                        + (written.isEmpty() ? "" : "; the " + written.size() + " files written before it were removed"));
            }
        }
    }

    private static void addInput(Map<Path, String> inputs, String option, Path file) {
        if (file == null) {
            return;
        }
        try {
            inputs.put(file.toRealPath(), option);
        } catch (IOException e) {
            // An input that cannot be resolved was already reported when it was read.
        }
    }

    private static void addTarget(Map<Path, String> targets, Map<Path, String> inputs, String option, Path file)
            throws UsageException {
        Path replaced;
        try {
            replaced = Npy.replacedFile(file);
        } catch (IOException e) {
            throw new UsageException(option + " " + e.getMessage());
        }
        Path resolved = realPathOrSelf(replaced);
        String input = inputs.get(resolved);
        if (input != null) {
            throw new UsageException(option + " " + file + ": is also the " + input
                    + " file and would overwrite it; write the output to another file");
        }
        String other = targets.get(resolved);
        if (other != null) {
            throw new UsageException(option + " " + file + ": is also written by " + other + "; give each output its own file");
        }
        targets.put(resolved, option);
    }

    /** Checks that {@code directory} is a writable directory, or that its nearest existing ancestor is one. */
    private static void requireCreatableDirectory(Path directory) throws UsageException {
        Path existing = directory.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new UsageException("--task-outputs " + directory + ": " + existing
                    + " is not a directory, so the task output directory cannot be created there");
        }
        if (!Files.isWritable(existing)) {
            throw new UsageException("--task-outputs " + directory + ": the directory " + existing + " is not writable");
        }
    }

    private static Path realPathOrSelf(Path file) {
        try {
            return Files.exists(file) ? file.toRealPath() : file.toAbsolutePath().normalize();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }
}
