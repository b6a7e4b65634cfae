package org.graddrop;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.graddrop.backend.Backends;
import org.graddrop.spi.Backend;
import org.graddrop.spi.Problem;

/**
 * Gradient Sign Dropout (Chen et al., "Just Pick a Sign", NeurIPS 2020) over off-heap multi-task
 * gradients.
 *
 * <p>An instance is an immutable configuration, safe to share between threads. Each call reads the
 * caller's segments in place and writes the combined gradient into the caller's output segment.
 * The exact arithmetic, identical on every backend, is documented in {@code docs/semantics.md}.
 *
 * <pre>{@code
 * GradDrop graddrop = GradDrop.builder().preset(Preset.PAPER).leak(0.0f).build();
 * graddrop.apply(TaskGradients.of(block, tasks, batch, features), activations,
 *         Noise.seeded(seed, step), output);
 * }</pre>
 */
public final class GradDrop {

    /** The maximum number of worker threads a call may request, the size limit of the native thread pool. */
    public static final int MAX_THREADS = 1024;

    private final Preset preset;
    private final float epsilon;
    private final KeepFunction keepFunction;
    private final float[] leaks;
    private final ActivationMode activationMode;
    private final PurityForm purityForm;
    private final TieRule tieRule;
    private final NormMode normMode;
    private final boolean marginalizeBatch;
    private final NonFinitePolicy nonFinitePolicy;
    private final int histogramBins;
    private final int threads;
    private final String backend;

    /** The leaks expanded to one per task for the last task count seen, so a steady loop reuses one array. */
    private volatile float[] taskLeaksCache;

    private GradDrop(Builder builder) {
        Preset p = builder.preset;
        boolean lingvo = p == Preset.LINGVO;
        this.preset = p;
        this.epsilon = builder.epsilon != null ? builder.epsilon : (p == Preset.LIBMTL || lingvo ? 1e-7f : 0.0f);
        this.keepFunction = builder.keepFunction != null ? builder.keepFunction : KeepFunction.identity();
        this.leaks = builder.leaks != null ? builder.leaks.clone() : new float[] {0.0f};
        this.activationMode = builder.activationMode != null ? builder.activationMode
                : (lingvo ? ActivationMode.LINGVO_SIGN : ActivationMode.SIGN);
        this.purityForm = builder.purityForm != null ? builder.purityForm : (lingvo ? PurityForm.LINGVO : PurityForm.PAPER);
        this.tieRule = builder.tieRule != null ? builder.tieRule : (lingvo ? TieRule.LINGVO : TieRule.PAPER);
        this.normMode = builder.normMode != null ? builder.normMode : (lingvo ? NormMode.LINGVO : NormMode.NONE);
        this.marginalizeBatch = builder.marginalizeBatch;
        this.nonFinitePolicy = builder.nonFinitePolicy;
        this.histogramBins = builder.histogramBins;
        this.threads = builder.threads;
        this.backend = builder.backend;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Applies GradDrop and writes the combined gradient into {@code output}, B·D float32 values.
     *
     * @param activations A of shape [B, D], or null to use the gradients as they are
     */
    public void apply(TaskGradients gradients, MemorySegment activations, Noise noise, MemorySegment output) {
        apply(Request.of(gradients, noise, output).withActivations(activations));
    }

    /**
     * Applies GradDrop to a request. Returns the statistics when the request includes them, else
     * null. Every argument is checked before anything is written.
     *
     * <p>NOTE: a call allocates a few small objects describing it, never a buffer that grows with
     * the data: 128 bytes per call on the native backend and 576 on the Java backend, measured with
     * JMH's gc profiler on the CallOverhead benchmark (K = 3, B = 64, D = 64).
     */
    public Statistics apply(Request request) {
        Objects.requireNonNull(request, "request must not be null");
        Problem problem = toProblem(request);
        Backend chosen = Backends.select(backend, problem);
        return chosen.apply(problem);
    }

    /** Returns the backend that a call with this request would run on, without running it. */
    public String backendFor(Request request) {
        return Backends.select(backend, toProblem(request)).name();
    }

    private Problem toProblem(Request request) {
        TaskGradients gradients = request.gradients();
        int tasks = gradients.tasks();
        long batch = gradients.batch();
        long features = gradients.features();
        long elements = gradients.elementsPerTask();
        boolean marginalize = marginalizeBatch || !gradients.batched();
        long positions = marginalize ? features : elements;

        if (preset == Preset.TORCHJD && (gradients.batched() || request.activations() != null)) {
            throw new IllegalArgumentException("preset torchjd takes a [K, D] matrix without activations, got "
                    + gradients + (request.activations() != null ? " with activations" : "")
                    + "; use TaskGradients.ofMatrix without activations, or another preset");
        }

        MemorySegment[] taskSegments = new MemorySegment[tasks];
        for (int k = 0; k < tasks; k++) {
            taskSegments[k] = gradients.task(k);
            Validation.requireFloats("gradients", k, taskSegments[k], elements);
        }
        MemorySegment activations = request.activations();
        if (activations != null) {
            Validation.requireFloats("activations", activations, elements);
        }
        MemorySegment uniform = request.noise() instanceof Noise.Explicit explicit ? explicit.uniform() : null;
        if (uniform != null) {
            Validation.requireFloats(marginalize ? "uniform noise (one value per feature)" : "uniform noise (one value per element)",
                    uniform, positions);
        }

        if (uniform != null && nonFinitePolicy == NonFinitePolicy.REJECT) {
            Validation.requireUnitInterval("uniform noise", uniform, positions);
        }

        float[] taskLeaks = taskLeaksCache;
        if (taskLeaks == null || taskLeaks.length != tasks) {
            taskLeaks = Validation.leaksFor(leaks, tasks);
            taskLeaksCache = taskLeaks;
        }

        MemorySegment output = request.output();
        Validation.requireWritableFloats("output", output, elements);
        requireDisjointFromInputs("output", -1, output, taskSegments, activations, uniform);

        MemorySegment[] taskOutputs = request.taskOutputsUnsafe();
        if (taskOutputs != null) {
            if (taskOutputs.length != tasks) {
                throw new IllegalArgumentException("task outputs has " + taskOutputs.length + " segments, expected one per task ("
                        + tasks + ")");
            }
            for (int k = 0; k < tasks; k++) {
                Validation.requireWritableFloats("taskOutputs", k, taskOutputs[k], elements);
                requireDisjointFromInputs("taskOutputs", k, taskOutputs[k], taskSegments, activations, uniform);
                Validation.requireDisjoint("taskOutputs", k, taskOutputs[k], "output", -1, output);
                for (int j = 0; j < k; j++) {
                    Validation.requireDisjoint("taskOutputs", k, taskOutputs[k], "taskOutputs", j, taskOutputs[j]);
                }
            }
            taskOutputs = taskOutputs.clone();
        }

        return new Problem(tasks, batch, features, taskSegments, activations, activationMode, purityForm, keepFunction,
                tieRule, epsilon, taskLeaks, marginalize, normMode, request.noise(), output, taskOutputs,
                request.statistics(), histogramBins, nonFinitePolicy, threads);
    }

    private static void requireDisjointFromInputs(String name, int index, MemorySegment target, MemorySegment[] gradients,
                                                  MemorySegment activations, MemorySegment uniform) {
        for (int k = 0; k < gradients.length; k++) {
            Validation.requireDisjoint(name, index, target, "gradients", k, gradients[k]);
        }
        Validation.requireDisjoint(name, index, target, "activations", -1, activations);
        Validation.requireDisjoint(name, index, target, "uniform noise", -1, uniform);
    }

    public Preset preset() {
        return preset;
    }

    public float epsilon() {
        return epsilon;
    }

    public KeepFunction keepFunction() {
        return keepFunction;
    }

    /** One leak for every task, or one per task. */
    public float[] leaks() {
        return leaks.clone();
    }

    public ActivationMode activationMode() {
        return activationMode;
    }

    public PurityForm purityForm() {
        return purityForm;
    }

    public TieRule tieRule() {
        return tieRule;
    }

    public NormMode normMode() {
        return normMode;
    }

    public boolean marginalizeBatch() {
        return marginalizeBatch;
    }

    public NonFinitePolicy nonFinitePolicy() {
        return nonFinitePolicy;
    }

    public int histogramBins() {
        return histogramBins;
    }

    public int threads() {
        return threads;
    }

    /** The requested backend: "auto" or a backend name. */
    public String backend() {
        return backend;
    }

    @Override
    public String toString() {
        return "GradDrop[preset=" + preset.name().toLowerCase(java.util.Locale.ROOT) + ", epsilon=" + epsilon
                + ", keepFunction=" + keepFunction + ", leaks=" + java.util.Arrays.toString(leaks)
                + ", activationMode=" + activationMode + ", marginalizeBatch=" + marginalizeBatch
                + ", normMode=" + normMode + ", backend=" + backend + "]";
    }

    /**
     * Builder of {@link GradDrop}. A preset sets defaults for ε, the purity form, the tie rule, the
     * activation mode and norm keeping. Any option set explicitly wins, whatever the call order.
     */
    public static final class Builder {
        private Preset preset = Preset.PAPER;
        private Float epsilon;
        private KeepFunction keepFunction;
        private float[] leaks;
        private ActivationMode activationMode;
        private PurityForm purityForm;
        private TieRule tieRule;
        private NormMode normMode;
        private boolean marginalizeBatch = true;
        private NonFinitePolicy nonFinitePolicy = NonFinitePolicy.PROPAGATE;
        private int histogramBins = 10;
        private int threads;
        private String backend = "auto";

        private Builder() {
        }

        public Builder preset(Preset preset) {
            this.preset = Objects.requireNonNull(preset, "preset must not be null");
            return this;
        }

        /** ε added to the purity's denominator (and to the norm's, with norm keeping); finite and at least 0. */
        public Builder epsilon(float epsilon) {
            Validation.requireEpsilon(epsilon);
            this.epsilon = epsilon;
            return this;
        }

        public Builder keepFunction(KeepFunction keepFunction) {
            this.keepFunction = Objects.requireNonNull(keepFunction, "keep function must not be null");
            return this;
        }

        /** One leak l in [0, 1] for every task. */
        public Builder leak(float leak) {
            Validation.requireLeak("leak", leak);
            this.leaks = new float[] {leak};
            return this;
        }

        /** One leak in [0, 1] per task; the count must match the tasks of each call. */
        public Builder leaks(float... leaks) {
            Objects.requireNonNull(leaks, "leaks must not be null");
            if (leaks.length == 0) {
                throw new IllegalArgumentException("leaks must have at least one value, got none");
            }
            for (int k = 0; k < leaks.length; k++) {
                Validation.requireLeak("leaks[" + k + "]", leaks[k]);
            }
            this.leaks = leaks.clone();
            return this;
        }

        public Builder activationMode(ActivationMode activationMode) {
            this.activationMode = Objects.requireNonNull(activationMode, "activation mode must not be null");
            return this;
        }

        public Builder purityForm(PurityForm purityForm) {
            this.purityForm = Objects.requireNonNull(purityForm, "purity form must not be null");
            return this;
        }

        public Builder tieRule(TieRule tieRule) {
            this.tieRule = Objects.requireNonNull(tieRule, "tie rule must not be null");
            return this;
        }

        public Builder normMode(NormMode normMode) {
            this.normMode = Objects.requireNonNull(normMode, "norm mode must not be null");
            return this;
        }

        /** True (the default) for one mask per feature shared by the batch; false for one mask per element. */
        public Builder marginalizeBatch(boolean marginalizeBatch) {
            this.marginalizeBatch = marginalizeBatch;
            return this;
        }

        public Builder nonFinitePolicy(NonFinitePolicy nonFinitePolicy) {
            this.nonFinitePolicy = Objects.requireNonNull(nonFinitePolicy, "non-finite policy must not be null");
            return this;
        }

        /** Bins of the purity histogram in statistics, 1 to 4096; 10 by default. */
        public Builder histogramBins(int histogramBins) {
            if (histogramBins < 1 || histogramBins > 4096) {
                throw new IllegalArgumentException("histogram bins must be in [1, 4096], got " + histogramBins);
            }
            this.histogramBins = histogramBins;
            return this;
        }

        /** Worker threads for the native backend, 0 to 1024; 0 (the default) uses every available processor. */
        public Builder threads(int threads) {
            if (threads < 0 || threads > MAX_THREADS) {
                throw new IllegalArgumentException("threads must be in [0, " + MAX_THREADS
                        + "] (0 means all processors), got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * Pins a backend by name ("java", "native", "opencl"), or "auto" (the default), which also
         * reads the system property {@code graddrop.backend} and the environment variable
         * {@code GRADDROP_BACKEND}. A pinned backend that cannot run fails the call instead of
         * falling back.
         */
        public Builder backend(String backend) {
            Objects.requireNonNull(backend, "backend must not be null");
            this.backend = Backends.requireKnownName(backend);
            return this;
        }

        public GradDrop build() {
            return new GradDrop(this);
        }
    }
}
