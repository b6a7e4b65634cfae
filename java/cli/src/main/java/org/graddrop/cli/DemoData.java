package org.graddrop.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.graddrop.npy.Npy;
import org.graddrop.npy.NpyArray;

/**
 * One training step of the bundled digits gradients (see org/graddrop/demo/PROVENANCE.md): the
 * task names and losses, the activations [64, 64], the task gradients [3, 64, 64] and the
 * parameter gradients [3, 16576].
 */
record DemoData(int step, List<String> tasks, double[] losses, NpyArray activations, NpyArray taskGradients,
                NpyArray parameterGradients) {

    /** The training steps that have bundled data. */
    static final int[] STEPS = {0, 100, 400};

    private static final String DIRECTORY = "/org/graddrop/demo/";
    private static final Pattern TASKS = Pattern.compile("\"tasks\"\\s*:\\s*\\[([^]]*)]");
    private static final Pattern LOSSES = Pattern.compile("\"losses\"\\s*:\\s*\\[([^]]*)]");

    static DemoData load(int step, Arena arena) throws IOException {
        String prefix = String.format("digits-step%04d-b64", step);
        String json = new String(resource(prefix + ".json").readAllBytes(), StandardCharsets.UTF_8);

        List<String> tasks = new ArrayList<>();
        for (String quoted : listOf(TASKS, json, prefix)) {
            tasks.add(quoted.trim().replace("\"", ""));
        }
        List<String> lossTexts = listOf(LOSSES, json, prefix);
        double[] losses = new double[lossTexts.size()];
        for (int k = 0; k < losses.length; k++) {
            losses[k] = Double.parseDouble(lossTexts.get(k).trim());
        }

        return new DemoData(step, List.copyOf(tasks), losses, read(prefix + "-activations.npy", arena),
                read(prefix + "-task-gradients.npy", arena), read(prefix + "-parameter-gradients.npy", arena));
    }

    private static List<String> listOf(Pattern pattern, String json, String prefix) {
        Matcher matcher = pattern.matcher(json);
        if (!matcher.find()) {
            throw new IllegalStateException("bundled " + prefix + ".json has no " + pattern.pattern() + " list; the jar is damaged");
        }
        return List.of(matcher.group(1).split(","));
    }

    private static NpyArray read(String name, Arena arena) throws IOException {
        try (InputStream in = resource(name)) {
            return Npy.read(name, in, arena);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = DemoData.class.getResourceAsStream(DIRECTORY + name);
        if (in == null) {
            throw new UncheckedIOException(new IOException("bundled demo file " + DIRECTORY + name
                    + " is missing from the class path; rebuild the jar"));
        }
        return in;
    }
}
