package org.graddrop.cli;

import java.nio.file.Path;
import java.util.Set;
import org.graddrop.KeepFunction;
import org.graddrop.Preset;
import org.graddrop.backend.Backends;

/**
 * The parsed and checked options of {@code graddrop apply}. Every value is validated here, before
 * any file is read.
 *
 * @param uniform    the noise file, or null to draw Philox noise from {@code seed} and {@code step}
 * @param epsilon    ε, or null for the preset's
 * @param keepFunction the keep function, or null for the preset's
 * @param taskOutputs the directory for task-k.npy files, or null
 */
record ApplyOptions(Path gradients, Path activations, Path output, float[] leaks, Path uniform, long seed, long step,
                    Preset preset, Float epsilon, KeepFunction keepFunction, boolean perExampleMasks,
                    boolean activationValues, boolean keepNorm, Path taskOutputs, boolean stats, String backend) {

    static final Set<String> VALUED = Set.of("--gradients", "--activations", "--output", "--leak", "--uniform", "--seed",
            "--step", "--preset", "--epsilon", "--keep-function", "--task-outputs", "--backend");

    static final Set<String> FLAGS = Set.of("--per-example-masks", "--activation-values", "--keep-norm", "--stats");

    static ApplyOptions from(Arguments args) throws UsageException {
        Path gradients = Path.of(args.required("--gradients"));
        Path output = Path.of(args.required("--output"));
        Path activations = args.has("--activations") ? Path.of(args.value("--activations")) : null;
        Path taskOutputs = args.has("--task-outputs") ? Path.of(args.value("--task-outputs")) : null;

        float[] leaks = args.has("--leak") ? Values.parseLeaks(args.value("--leak")) : new float[] {0.0f};

        Path uniform = null;
        if (args.has("--uniform")) {
            if (args.has("--seed") || args.has("--step")) {
                throw new UsageException("--uniform cannot be combined with --seed or --step: the noise comes either from a file or from the seed");
            }
            uniform = Path.of(args.value("--uniform"));
        }
        long seed = args.has("--seed") ? Values.parseLong64("--seed", args.value("--seed")) : 0;
        long step = args.has("--step") ? Values.parseLong64("--step", args.value("--step")) : 0;

        Preset preset = Preset.PAPER;
        if (args.has("--preset")) {
            try {
                preset = Preset.parse(args.value("--preset"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("invalid --preset '" + args.value("--preset") + "': expected paper, libmtl, torchjd or lingvo");
            }
        }

        Float epsilon = null;
        if (args.has("--epsilon")) {
            epsilon = Values.parseFloat("--epsilon", args.value("--epsilon"), "a finite number at least 0, such as 1e-7");
            if (!(epsilon >= 0.0f) || epsilon.isInfinite()) {
                throw new UsageException("invalid --epsilon '" + args.value("--epsilon") + "': expected a finite number at least 0, such as 1e-7");
            }
        }

        KeepFunction keepFunction = null;
        if (args.has("--keep-function")) {
            try {
                keepFunction = KeepFunction.parse(args.value("--keep-function"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--keep-function: " + e.getMessage());
            }
        }

        boolean activationValues = args.flag("--activation-values");
        if (activationValues && activations == null) {
            throw new UsageException("--activation-values weighs gradients by the activations, so it needs --activations A.npy");
        }

        String backend = "auto";
        if (args.has("--backend")) {
            try {
                backend = Backends.requireKnownName(args.value("--backend"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("invalid --backend '" + args.value("--backend") + "': expected auto, java, native or opencl");
            }
        }

        return new ApplyOptions(gradients, activations, output, leaks, uniform, seed, step, preset, epsilon, keepFunction,
                args.flag("--per-example-masks"), activationValues, args.flag("--keep-norm"), taskOutputs,
                args.flag("--stats"), backend);
    }
}
