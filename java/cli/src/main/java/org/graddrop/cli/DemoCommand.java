package org.graddrop.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.Preset;
import org.graddrop.Request;
import org.graddrop.Statistics;
import org.graddrop.TaskGradients;
import org.graddrop.backend.Backends;

/**
 * {@code graddrop demo}: GradDrop over the bundled digits gradients at training steps 0, 100 and
 * 400, first on the shared representation with the paper preset, then on the shared
 * parameters' gradient matrix with the torchjd preset.
 */
final class DemoCommand {

    private DemoCommand() {
    }

    static int run(List<String> args, PrintStream out) throws UsageException, IOException {
        Arguments arguments = Arguments.parse("demo", args, Set.of("--backend"), Set.of());
        if (arguments.help()) {
            out.print(HelpText.DEMO);
            return 0;
        }
        String backend = "auto";
        if (arguments.has("--backend")) {
            try {
                backend = Backends.requireKnownName(arguments.value("--backend"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("invalid --backend '" + arguments.value("--backend") + "': expected auto, java, native or opencl");
            }
        }

        GradDrop representation = GradDrop.builder().preset(Preset.PAPER).backend(backend).build();
        GradDrop parameters = GradDrop.builder().preset(Preset.TORCHJD).backend(backend).build();
        out.println("GradDrop over real gradients of a network with a shared trunk and three task heads,");
        out.println("trained on the UCI handwritten digits data (CC BY 4.0, Alpaydin and Kaynak, 1998).");
        out.println("Noise: Philox seed 0, step = the training step. Norms are L2.");

        for (int step : DemoData.STEPS) {
            try (Arena arena = Arena.ofConfined()) {
                DemoData data = DemoData.load(step, arena);
                out.println();
                out.printf(Locale.ROOT, "training step %d, losses:", step);
                for (int k = 0; k < data.tasks().size(); k++) {
                    out.printf(Locale.ROOT, " %s %.4f", data.tasks().get(k), data.losses()[k]);
                }
                out.println();

                long[] shape = data.taskGradients().shape();
                TaskGradients gradients = TaskGradients.of(data.taskGradients().data(), (int) shape[0], shape[1], shape[2]);
                out.printf(Locale.ROOT, "  shared representation: gradients [%d, %d, %d] with sign(activations), preset paper%n",
                        shape[0], shape[1], shape[2]);
                run(out, representation, gradients, data.activations().data(), step, data.tasks(), arena);

                long[] matrixShape = data.parameterGradients().shape();
                TaskGradients matrix = TaskGradients.ofMatrix(data.parameterGradients().data(), (int) matrixShape[0],
                        matrixShape[1]);
                out.printf(Locale.ROOT, "  shared parameters: gradient matrix [%d, %d], preset torchjd%n", matrixShape[0],
                        matrixShape[1]);
                run(out, parameters, matrix, null, step, data.tasks(), arena);
            }
        }
        return 0;
    }

    private static void run(PrintStream out, GradDrop graddrop, TaskGradients gradients, MemorySegment activations,
                            long step, List<String> tasks, Arena arena) {
        long elements = gradients.elementsPerTask();
        MemorySegment output = arena.allocate(ValueLayout.JAVA_FLOAT, elements);
        MemorySegment[] taskOutputs = new MemorySegment[gradients.tasks()];
        MemorySegment[] taskInputs = new MemorySegment[gradients.tasks()];
        for (int k = 0; k < taskOutputs.length; k++) {
            taskOutputs[k] = arena.allocate(ValueLayout.JAVA_FLOAT, elements);
            taskInputs[k] = gradients.task(k);
        }
        Request request = Request.of(gradients, Noise.seeded(0, step), output).withActivations(activations)
                .withTaskOutputs(taskOutputs).withStatistics();

        out.println("    backend            " + graddrop.backendFor(request));
        Statistics statistics = graddrop.apply(request);

        double[] before = new double[taskOutputs.length];
        double[] after = new double[taskOutputs.length];
        for (int k = 0; k < taskOutputs.length; k++) {
            before[k] = Norms.of(taskInputs[k]);
            after[k] = Norms.of(taskOutputs[k]);
        }
        StatisticsReport.print(out, statistics, tasks, "    ", false, before, after);
        out.printf(Locale.ROOT, "    summed gradient    norm %.4e before, %.4e after GradDrop%n", Norms.ofSum(taskInputs),
                Norms.of(output));
    }
}
