package org.graddrop.opencl;

import java.lang.foreign.MemorySegment;
import org.graddrop.BackendUnavailableException;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.TaskGradients;
import org.graddrop.probe.Probe;

/** Run by {@link NoPlatformTest} in a child JVM whose ICD loader finds no platform. */
public final class NoPlatformMain {

    private NoPlatformMain() {
    }

    public static void main(String[] args) {
        System.out.println("TEXT " + Probe.text().replace('\n', '|'));
        System.out.println("JSON " + Probe.json());

        TaskGradients gradients = TaskGradients.ofMatrix(new float[] {1, -2}, new float[] {3, 4});
        float[] output = new float[2];
        try {
            GradDrop.builder().backend("opencl").build()
                    .apply(gradients, null, Noise.seeded(1, 2), MemorySegment.ofArray(output));
            System.out.println("PINNED ran");
        } catch (BackendUnavailableException e) {
            System.out.println("PINNED " + e.getMessage());
        }

        GradDrop automatic = GradDrop.builder().build();
        System.out.println("AUTO " + automatic.backendFor(org.graddrop.Request.of(gradients, Noise.seeded(1, 2),
                MemorySegment.ofArray(output))));
    }
}
