package org.graddrop.opencl;

/**
 * The compile-time settings of one build of graddrop_positions. Each variant is a program of its
 * own, built once per device and cached, so that the hot loop carries no code for statistics or
 * norms that a call did not request.
 *
 * @param tasks      K, the size of the per-task arrays
 * @param width      mask positions per vector: 1, 4, 8 or 16. Above 1 a work-item covers four vectors
 * @param statistics whether the statistics counters and purities are computed
 * @param norms      whether the double partials of norm keeping are written
 */
record KernelVariant(int tasks, int width, boolean statistics, boolean norms) {

    KernelVariant {
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
        }
        if (width != 1 && width != 4 && width != 8 && width != 16) {
            throw new IllegalArgumentException("width must be 1, 4, 8 or 16, got " + width);
        }
    }

    static KernelVariant of(Plan plan, int width) {
        return new KernelVariant(plan.tasks(), width, plan.statistics(), plan.norms());
    }

    /** Returns the -D options of this variant, which precede the device's own build options. */
    String defines() {
        StringBuilder defines = new StringBuilder(" -D TASKS=").append(tasks).append(" -D WIDTH=").append(width);
        if (statistics) {
            defines.append(" -D STATISTICS");
        }
        if (norms) {
            defines.append(" -D NORMS");
        }
        return defines.toString();
    }
}
