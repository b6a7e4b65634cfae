package org.graddrop.cli;

/** The --help text of each command. */
final class HelpText {

    private HelpText() {
    }

    static final String MAIN = """
            Usage: graddrop <command> [options]

            Gradient Sign Dropout (GradDrop, Chen et al., NeurIPS 2020) over multi-task gradients.

            Commands:
              apply   apply GradDrop to task gradients in a .npy file and write the combined gradient
              probe   report which backends (native SIMD library, OpenCL, Java) run on this machine
              demo    run GradDrop over bundled real gradients and print its statistics (the default)
              help    print this text; 'graddrop <command> --help' describes a command

            Exit status: 0 on success; 2 for an invalid command line, a missing or malformed input
            file, or a --backend that cannot run here; 1 for any other failure.
            Logs go to standard error; set -Dorg.slf4j.simpleLogger.defaultLogLevel=warn to quiet them.
            """;

    static final String APPLY = """
            Usage: graddrop apply --gradients G.npy [--activations A.npy] --output OUT.npy [options]

            Applies GradDrop to K task gradients and writes their combined gradient.

            Files (NumPy .npy, float32 or float64, either byte order, C or Fortran order; Fortran
            order is transposed on reading, float64 is rounded to float32):
              --gradients G.npy      task gradients of shape [K, B, ...]: K tasks, B examples and
                                     trailing dimensions flattened to D features; or a [K, D] matrix
                                     without a batch dimension (gradients of parameters)
              --activations A.npy    the activations the gradients are taken with respect to: G's
                                     shape without the task dimension. Without it the gradients are
                                     used as they are; with it each is weighed by sign(A)
              --output OUT.npy       the combined gradient: float32, G's shape without the task
                                     dimension. Written atomically, so it is never left partial
              --task-outputs DIR     also write each task's masked gradient to DIR/task-<k>.npy
                                     (k from 0); DIR is created if missing

            Noise (one uniform value in [0, 1) per mask position):
              --uniform U.npy        the values themselves: D of them (any shape), or B·D with
                                     --per-example-masks
              --seed S               seed of the Philox4x32-10 generator, a 64-bit integer (default 0)
              --step T               training step, a 64-bit integer that selects fresh noise for
                                     the same seed (default 0)
                                     Without --uniform or --seed the noise is --seed 0 --step 0.

            GradDrop options:
              --preset NAME          paper (default), libmtl, torchjd or lingvo: the convention for
                                     epsilon, ties, zero gradients, the activation sign and norm
                                     keeping. torchjd takes only a [K, D] matrix without activations
              --leak L | L1,...,LK   fraction of each task's gradient that passes even where its
                                     sign is dropped: one value in [0, 1] for all tasks, or one
                                     per task (default 0)
              --epsilon E            added to the denominator of the purity, a number >= 0
                                     (default: the preset's, 0 for paper and torchjd, 1e-7 else)
              --keep-function F      maps purity P to the keep probability of positive gradients:
                                     identity (default), linear:K for 0.5 + K(P - 0.5), or
                                     sigmoid:K for 1 / (1 + exp(-4K(P - 0.5)))
              --per-example-masks    one mask per element (b, d) instead of one per feature shared
                                     by the batch
              --activation-values    weigh gradients by A itself instead of sign(A); needs
                                     --activations
              --keep-norm            rescale the output to the L2 norm of the plain sum of the
                                     task gradients

            Output and execution:
              --stats                print per task the fraction of kept positions, then the
                                     fraction of positions whose task signs conflict, the mean
                                     purity and a 10-bin purity histogram, to standard output
              --backend NAME         auto (default), java, native or opencl. A named backend that
                                     cannot run here fails with status 2 instead of falling back
            """;

    static final String PROBE = """
            Usage: graddrop probe [--json]

            Reports each backend (native SIMD library, OpenCL, Java), whether it can run on this
            machine and why, and which one the automatic choice picks.

              --json   print the report as one JSON object instead of text
            """;

    static final String DEMO = """
            Usage: graddrop demo [--backend NAME]

            Runs GradDrop over real gradients bundled with the tool: a three-task network (digit,
            parity, closed loop) trained on the UCI handwritten digits data, at training steps 0,
            100 and 400. For each step it prints, per task, the fraction of kept features and the
            gradient's L2 norm before and after the masks; the fraction of conflicting features;
            the mean purity; and the L2 norm of the summed gradient before and after GradDrop. It
            then does the same for the gradients of the shared parameters as a [3, 16576] matrix
            with the torchjd preset. The noise is --seed 0 with --step set to the training step.

              --backend NAME   auto (default), java, native or opencl
            """;
}
