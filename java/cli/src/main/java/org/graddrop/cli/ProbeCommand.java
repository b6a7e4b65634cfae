package org.graddrop.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.graddrop.probe.Probe;

/** {@code graddrop probe}: which backends run on this machine. */
final class ProbeCommand {

    private ProbeCommand() {
    }

    static int run(List<String> args, PrintStream out) throws UsageException {
        Arguments arguments = Arguments.parse("probe", args, Set.of(), Set.of("--json"));
        if (arguments.help()) {
            out.print(HelpText.PROBE);
            return 0;
        }
        if (arguments.flag("--json")) {
            out.println(Probe.json());
        } else {
            out.print(Probe.text());
        }
        return 0;
    }
}
