package org.graddrop.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.graddrop.Statistics;

/** Prints {@link Statistics} as aligned text. */
final class StatisticsReport {

    private StatisticsReport() {
    }

    /**
     * Prints the kept fraction per task, the conflict fraction, the mean purity and, when
     * {@code histogram} is set, the purity histogram.
     *
     * @param taskNames one name per task
     * @param indent    prefix of every line
     */
    static void print(PrintStream out, Statistics statistics, List<String> taskNames, String indent, boolean histogram) {
        print(out, statistics, taskNames, indent, histogram, null, null);
    }

    /**
     * As {@link #print(PrintStream, Statistics, List, String, boolean)}, with each task's L2 norm
     * before and after its mask in two more columns when {@code normsBefore} is not null.
     */
    static void print(PrintStream out, Statistics statistics, List<String> taskNames, String indent, boolean histogram,
                      double[] normsBefore, double[] normsAfter) {
        long positions = statistics.positions();
        int width = Math.max(4, taskNames.stream().mapToInt(String::length).max().orElse(4));
        String countWidth = Integer.toString(Long.toString(positions).length());
        if (normsBefore == null) {
            out.printf(Locale.ROOT, "%s%-" + width + "s  %13s%n", indent, "task", "kept fraction");
        } else {
            out.printf(Locale.ROOT, "%s%-" + width + "s  %13s  %-" + (Integer.parseInt(countWidth) * 2 + 16) + "s  %11s  %11s%n",
                    indent, "task", "kept fraction", "", "norm before", "norm after");
        }
        for (int k = 0; k < taskNames.size(); k++) {
            out.printf(Locale.ROOT, "%s%-" + width + "s  %13.4f  (%" + countWidth + "d of %d positions)", indent,
                    taskNames.get(k), statistics.keptFraction(k), statistics.keptCounts()[k], positions);
            if (normsBefore != null) {
                out.printf(Locale.ROOT, "  %11.4e  %11.4e", normsBefore[k], normsAfter[k]);
            }
            out.println();
        }
        out.printf(Locale.ROOT, "%sconflict fraction  %.4f  (%d of %d positions have both signs)%n", indent,
                statistics.conflictFraction(), statistics.conflictCount(), positions);
        out.printf(Locale.ROOT, "%smean purity        %.4f%n", indent, statistics.meanPurity());
        if (!histogram) {
            return;
        }

        long[] bins = statistics.histogram();
        out.printf(Locale.ROOT, "%spurity histogram (%d bins over [0, 1]):%n", indent, bins.length);
        for (int b = 0; b < bins.length; b++) {
            double low = (double) b / bins.length;
            double high = (double) (b + 1) / bins.length;
            out.printf(Locale.ROOT, "%s  [%.2f, %.2f%s %8d%n", indent, low, high, b == bins.length - 1 ? "]" : ")", bins[b]);
        }
    }
}
