package org.graddrop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.graddrop.probe.Probe;
import org.junit.jupiter.api.Test;

/** Help, probe and demo. */
class CommandsTest {

    @Test
    void helpForEveryCommand() {
        String[][] cases = {{"--help"}, {"help"}, {"apply", "--help"}, {"probe", "--help"}, {"demo", "-h"}};
        String[] texts = {HelpText.MAIN, HelpText.MAIN, HelpText.APPLY, HelpText.PROBE, HelpText.DEMO};
        for (int i = 0; i < cases.length; i++) {
            CliRun run = CliRun.of(cases[i]);
            assertEquals(0, run.status(), String.join(" ", cases[i]));
            assertEquals(texts[i], run.out(), String.join(" ", cases[i]));
            assertEquals("", run.err());
        }
    }

    @Test
    void applyHelpDescribesEveryOption() {
        for (String option : ApplyOptions.VALUED) {
            assertTrue(HelpText.APPLY.contains(option + " "), option);
        }
        for (String option : ApplyOptions.FLAGS) {
            assertTrue(HelpText.APPLY.contains(option + " "), option);
        }
    }

    @Test
    void helpLinesFitTerminal() {
        for (String text : List.of(HelpText.MAIN, HelpText.APPLY, HelpText.PROBE, HelpText.DEMO)) {
            text.lines().forEach(line -> assertTrue(line.length() <= 100, line));
        }
    }

    @Test
    void probePrintsTextAndJson() {
        CliRun text = CliRun.of("probe");
        assertEquals(0, text.status());
        assertEquals(Probe.text(), text.out());

        CliRun json = CliRun.of("probe", "--json");
        assertEquals(0, json.status());
        assertEquals(Probe.json() + System.lineSeparator(), json.out());
    }

    @Test
    void demoCoversEveryStepAndBothCases() {
        CliRun run = CliRun.of("demo", "--backend", "java");

        assertEquals(0, run.status(), run.err());
        String out = run.out();
        for (String step : List.of("training step 0,", "training step 100,", "training step 400,")) {
            assertTrue(out.contains(step), step);
        }
        assertEquals(3, count(out, "shared representation: gradients [3, 64, 64]"));
        assertEquals(3, count(out, "shared parameters: gradient matrix [3, 16576], preset torchjd"));
        assertEquals(6, count(out, "backend            java"));
        assertEquals(6, count(out, "conflict fraction"));
        assertEquals(6, count(out, "mean purity"));
        assertEquals(6, count(out, "summed gradient    norm"));
        for (String task : List.of("digit ", "parity ", "closed_loop ")) {
            assertEquals(6, count(out, "    " + task), task);
        }
    }

    @Test
    void noArgumentsRunsDemo() {
        CliRun none = CliRun.of();
        CliRun demo = CliRun.of("demo");

        assertEquals(0, none.status(), none.err());
        assertEquals(demo.out(), none.out());
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
