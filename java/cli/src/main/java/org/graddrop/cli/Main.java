package org.graddrop.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.graddrop.BackendUnavailableException;
import org.graddrop.UnsupportedFeatureException;

/**
 * The {@code graddrop} command-line tool: {@code apply}, {@code probe} and {@code demo}.
 *
 * <p>Exit status 0 on success, 2 for an invalid command line, an unreadable or malformed input,
 * or an option the chosen backend cannot run, and 1 for anything else. Every error is one line on
 * standard error.
 */
public final class Main {

    /** Exit status of a successful run. */
    public static final int OK = 0;

    /** Exit status of an unexpected failure, such as an output that cannot be written. */
    public static final int FAILURE = 1;

    /** Exit status of an invalid command line, a bad input file or an unusable --backend. */
    public static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool with {@code args}, printing to {@code out} and {@code err}, and returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return dispatch(args, out);
        } catch (UsageException e) {
            err.println("graddrop: " + e.getMessage());
            return USAGE;
        } catch (UnsupportedFeatureException | BackendUnavailableException e) {
            err.println("graddrop: " + e.getMessage() + "; choose another --backend or use --backend auto");
            return USAGE;
        } catch (IllegalArgumentException e) {
            // The library's own argument checks, such as a non-finite input under the reject policy.
            err.println("graddrop: " + e.getMessage());
            return USAGE;
        } catch (IOException e) {
            err.println("graddrop: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return FAILURE;
        } catch (RuntimeException e) {
            err.println("graddrop: unexpected " + e.getClass().getName() + ": " + e.getMessage());
            return FAILURE;
        } finally {
            out.flush();
        }
    }

    private static int dispatch(String[] args, PrintStream out) throws UsageException, IOException {
        if (args.length == 0) {
            return DemoCommand.run(List.of(), out);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        return switch (args[0]) {
            case "apply" -> ApplyCommand.run(rest, out);
            case "probe" -> ProbeCommand.run(rest, out);
            case "demo" -> DemoCommand.run(rest, out);
            case "help", "--help", "-h" -> {
                out.print(HelpText.MAIN);
                yield OK;
            }
            default -> throw new UsageException("unknown command '" + args[0]
                    + "': expected apply, probe, demo or help; run 'graddrop --help' for the list");
        };
    }
}
