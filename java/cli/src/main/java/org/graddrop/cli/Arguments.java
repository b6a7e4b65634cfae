package org.graddrop.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one command, parsed from {@code --name value}, {@code --name=value} and
 * {@code --flag} forms. Each option may appear once; positional arguments are rejected.
 */
final class Arguments {

    private final String command;
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private boolean help;

    private Arguments(String command) {
        this.command = command;
    }

    /**
     * Parses {@code args} for {@code command}.
     *
     * @param valued the options that take a value, such as {@code --leak}
     * @param flags  the options that take none, such as {@code --stats}
     */
    static Arguments parse(String command, List<String> args, Set<String> valued, Set<String> flags)
            throws UsageException {
        Arguments parsed = new Arguments(command);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                parsed.help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "' for 'graddrop " + command
                        + "'; options start with --, run 'graddrop " + command + " --help' for the list");
            }

            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            if (valued.contains(name)) {
                String value;
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException("option " + name + " needs a value; run 'graddrop " + command
                            + " --help' for its form");
                }
                if (parsed.values.put(name, value) != null) {
                    throw new UsageException("option " + name + " is given more than once; give it once");
                }
            } else if (flags.contains(name)) {
                if (equals >= 0) {
                    throw new UsageException("option " + name + " takes no value, got '" + arg + "'");
                }
                if (!parsed.flags.add(name)) {
                    throw new UsageException("option " + name + " is given more than once; give it once");
                }
            } else {
                throw new UsageException("unknown option '" + name + "' for 'graddrop " + command + "'; run 'graddrop "
                        + command + " --help' for the list");
            }
        }
        return parsed;
    }

    boolean help() {
        return help;
    }

    boolean has(String name) {
        return values.containsKey(name) || flags.contains(name);
    }

    /** The value of {@code name}, or null when it is absent. */
    String value(String name) {
        return values.get(name);
    }

    String required(String name) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            throw new UsageException("option " + name + " is required; run 'graddrop " + command + " --help' for its form");
        }
        return value;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }
}
