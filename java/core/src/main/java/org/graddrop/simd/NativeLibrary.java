package org.graddrop.simd;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds and loads the native library: from the path in the system property
 * {@value #PATH_PROPERTY} when it is set, else from the jar resource
 * {@code org/graddrop/native/<os>-<arch>/libgraddrop.so}, extracted to a temporary file that is
 * deleted once the library is loaded. The library stays loaded for the life of the process.
 */
final class NativeLibrary {

    /** The system property that names a library file to load instead of the one in the jar. */
    static final String PATH_PROPERTY = "graddrop.native.path";

    private NativeLibrary() {
    }

    /** Thrown when this platform has no native library; the reason is the message. */
    static final class UnsupportedPlatformException extends Exception {
        UnsupportedPlatformException(String message) {
            super(message);
        }
    }

    /**
     * The resource folder for this JVM's platform, for example {@code linux-x86_64}, or throws
     * when the build has no library for it.
     */
    static String platform() throws UnsupportedPlatformException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : null;
        String archName = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (osName == null || archName == null) {
            throw new UnsupportedPlatformException("no native library for os '" + os + "' and arch '" + arch
                    + "'; the library is built for linux-x86_64 and linux-aarch64, so use the java or opencl backend here");
        }
        return osName + "-" + archName;
    }

    /** Loads the library and returns its symbols; failures keep their original cause. */
    static SymbolLookup load() throws IOException, UnsupportedPlatformException {
        String override = System.getProperty(PATH_PROPERTY);
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override);
            if (!Files.isRegularFile(path)) {
                throw new IOException("the native library file '" + path + "' named by -D" + PATH_PROPERTY
                        + " does not exist; fix the path or remove the property to use the library in the jar");
            }
            return SymbolLookup.libraryLookup(path, Arena.global());
        }

        String resource = "/org/graddrop/native/" + platform() + "/" + System.mapLibraryName("graddrop");
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the jar has no native library at " + resource
                        + "; build the jar with 'mvn package' on a machine with cmake and a C compiler");
            }
            Path file = Files.createTempFile("libgraddrop", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                return SymbolLookup.libraryLookup(file, Arena.global());
            } finally {
                // The loaded library stays mapped after its file is gone.
                Files.deleteIfExists(file);
            }
        }
    }
}
