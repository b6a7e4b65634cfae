package org.graddrop.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.graddrop.ActivationMode;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.graddrop.Request;
import org.graddrop.Statistics;
import org.graddrop.npy.Npy;
import org.graddrop.npy.NpyArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code graddrop apply}: GradDrop over gradients in .npy files, written to a .npy file. */
final class ApplyCommand {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyCommand.class);

    private ApplyCommand() {
    }

    static int run(List<String> args, PrintStream out) throws UsageException, IOException {
        Arguments arguments = Arguments.parse("apply", args, ApplyOptions.VALUED, ApplyOptions.FLAGS);
        if (arguments.help()) {
            out.print(HelpText.APPLY);
            return 0;
        }
        execute(ApplyOptions.from(arguments), out);
        return 0;
    }

    static void execute(ApplyOptions options, PrintStream out) throws UsageException, IOException {
        Inputs.requireWritableFile("--output", options.output());
        if (options.taskOutputs() != null) {
            Inputs.requireWritableDirectory("--task-outputs", options.taskOutputs());
        }

        try (Arena arena = Arena.ofConfined()) {
            NpyArray gradients = Inputs.read("--gradients", options.gradients(), arena);
            GradientLayout layout = GradientLayout.of("--gradients " + options.gradients(), gradients);
            checkPreset(options, layout, gradients);
            checkLeaks(options, layout);

            OutputFiles outputFiles = OutputFiles.plan(options, layout.tasks());

            MemorySegment activations = readActivations(options, layout, gradients, arena);
            Noise noise = noise(options, layout, arena);
            GradDrop graddrop = configure(options);

            MemorySegment output = arena.allocate(ValueLayout.JAVA_FLOAT, layout.elementsPerTask());
            Request request = Request.of(layout.view(gradients.data()), noise, output).withActivations(activations);
            MemorySegment[] taskOutputs = null;
            if (options.taskOutputs() != null) {
                taskOutputs = new MemorySegment[layout.tasks()];
                for (int k = 0; k < taskOutputs.length; k++) {
                    taskOutputs[k] = arena.allocate(ValueLayout.JAVA_FLOAT, layout.elementsPerTask());
                }
                request = request.withTaskOutputs(taskOutputs);
            }
            if (options.stats()) {
                request = request.withStatistics();
            }

            String backend = graddrop.backendFor(request);
            Statistics statistics = graddrop.apply(request);

            long[] shape = layout.perTaskShape();
            List<MemorySegment> results = new ArrayList<>();
            if (taskOutputs != null) {
                createDirectory(options.taskOutputs());
                results.addAll(List.of(taskOutputs));
            }
            results.add(output);
            outputFiles.write(results, shape);
            LOG.info("Wrote {} {} from gradients {} read as {}", options.output(), NpyArray.shapeText(shape),
                    gradients.shapeText(), layout.describe());

            if (statistics != null) {
                printStatistics(out, options, layout, backend, statistics);
            }
        }
    }

    private static void createDirectory(Path directory) throws UsageException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UsageException("--task-outputs " + directory + ": cannot create the directory: " + e.getMessage());
        }
    }

    private static void checkPreset(ApplyOptions options, GradientLayout layout, NpyArray gradients) throws UsageException {
        if (options.preset() == Preset.TORCHJD && layout.batched()) {
            throw new UsageException("--preset torchjd takes a [K, D] task matrix, but --gradients " + options.gradients()
                    + " has shape " + gradients.shapeText() + "; reshape it to [K, D] or use another preset");
        }
        if (options.preset() == Preset.TORCHJD && options.activations() != null) {
            throw new UsageException("--preset torchjd takes no activations; drop --activations or use another preset");
        }
    }

    private static void checkLeaks(ApplyOptions options, GradientLayout layout) throws UsageException {
        int count = options.leaks().length;
        if (count != 1 && count != layout.tasks()) {
            throw new UsageException("--leak has " + count + " values but --gradients " + options.gradients() + " has "
                    + layout.tasks() + " tasks; give one leak for all tasks or one per task");
        }
    }

    private static MemorySegment readActivations(ApplyOptions options, GradientLayout layout, NpyArray gradients,
                                                 Arena arena) throws UsageException {
        if (options.activations() == null) {
            return null;
        }
        NpyArray activations = Inputs.read("--activations", options.activations(), arena);
        long[] expected = layout.perTaskShape();
        if (!Arrays.equals(activations.shape(), expected)) {
            throw new UsageException("--activations " + options.activations() + ": shape " + activations.shapeText()
                    + " does not match " + NpyArray.shapeText(expected) + ", the shape of --gradients "
                    + gradients.shapeText() + " without its task dimension");
        }
        return activations.data();
    }

    private static Noise noise(ApplyOptions options, GradientLayout layout, Arena arena) throws UsageException {
        if (options.uniform() == null) {
            return Noise.seeded(options.seed(), options.step());
        }
        NpyArray uniform = Inputs.read("--uniform", options.uniform(), arena);
        long positions = layout.positions(options.perExampleMasks());
        if (uniform.elementCount() != positions) {
            String per = positions == layout.features() ? "one per feature (D = " + layout.features() + ")"
                    : "one per element (B·D = " + positions + ", with --per-example-masks)";
            throw new UsageException("--uniform " + options.uniform() + ": has " + uniform.elementCount()
                    + " values (shape " + uniform.shapeText() + "), expected " + positions + ": " + per);
        }
        for (long i = 0; i < positions; i++) {
            float u = uniform.get(i);
            if (!(u >= 0.0f && u < 1.0f)) {
                throw new UsageException("--uniform " + options.uniform() + ": value " + u + " at index " + i
                        + " is outside [0, 1)");
            }
        }
        return Noise.explicit(uniform.data());
    }

    /** Builds the GradDrop configuration: the preset first, then every option given explicitly. */
    static GradDrop configure(ApplyOptions options) {
        GradDrop.Builder builder = GradDrop.builder().preset(options.preset()).backend(options.backend());
        if (options.leaks().length == 1) {
            builder.leak(options.leaks()[0]);
        } else {
            builder.leaks(options.leaks());
        }
        if (options.epsilon() != null) {
            builder.epsilon(options.epsilon());
        }
        if (options.keepFunction() != null) {
            builder.keepFunction(options.keepFunction());
        }
        if (options.activationValues()) {
            builder.activationMode(ActivationMode.VALUES);
        }
        if (options.keepNorm()) {
            builder.normMode(NormMode.KEEP);
        }
        builder.marginalizeBatch(!options.perExampleMasks());
        return builder.build();
    }

    private static void printStatistics(PrintStream out, ApplyOptions options, GradientLayout layout, String backend,
                                        Statistics statistics) {
        out.println("backend            " + backend);
        String positions = layout.positions(options.perExampleMasks()) == layout.features() && layout.batched()
                ? " (one mask per feature, shared by the " + layout.batch() + " examples)"
                : layout.batched() ? " (one mask per element)" : " (one mask per feature)";
        out.println("mask positions     " + statistics.positions() + positions);
        List<String> names = new ArrayList<>();
        for (int k = 0; k < layout.tasks(); k++) {
            names.add(Integer.toString(k));
        }
        StatisticsReport.print(out, statistics, names, "", true);
    }
}
