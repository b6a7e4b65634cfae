package org.graddrop.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.graddrop.npy.Npy;
import org.graddrop.npy.NpyArray;
import org.graddrop.npy.NpyException;

/** Reads input files and turns every failure into a usage error that names the option and the file. */
final class Inputs {

    private Inputs() {
    }

    static NpyArray read(String option, Path file, Arena arena) throws UsageException {
        if (Files.isDirectory(file)) {
            throw new UsageException(option + " " + file + ": is a directory, expected a .npy file");
        }
        try {
            return Npy.read(file, arena);
        } catch (NoSuchFileException e) {
            throw new UsageException(option + " " + file + ": file not found");
        } catch (AccessDeniedException e) {
            throw new UsageException(option + " " + file + ": permission denied");
        } catch (NpyException e) {
            throw new UsageException(option + " " + e.getMessage());
        } catch (IOException e) {
            throw new UsageException(option + " " + file + ": read failed: " + e.getMessage());
        }
    }

    /** Checks before any work that {@code file} can be created: its directory exists and it is not a directory itself. */
    static void requireWritableFile(String option, Path file) throws UsageException {
        if (Files.isDirectory(file)) {
            throw new UsageException(option + " " + file + ": is a directory; give a file name such as "
                    + file.resolve("out.npy"));
        }
        Path directory = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory)) {
            throw new UsageException(option + " " + file + ": the directory " + directory + " does not exist; create it first");
        }
        if (!Files.isWritable(directory)) {
            throw new UsageException(option + " " + file + ": the directory " + directory + " is not writable");
        }
    }

    /** Checks that {@code directory} is a writable directory or can be created. */
    static void requireWritableDirectory(String option, Path directory) throws UsageException {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new UsageException(option + " " + directory + ": exists and is not a directory");
        }
        if (Files.isDirectory(directory) && !Files.isWritable(directory)) {
            throw new UsageException(option + " " + directory + ": the directory is not writable");
        }
    }
}
