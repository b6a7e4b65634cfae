package org.graddrop.probe;

import java.util.ArrayList;
import java.util.List;
import org.graddrop.backend.Backends;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Backend;

/**
 * What this machine offers GradDrop: each backend's availability and the automatic choice.
 * {@code graddrop probe} prints it as text or JSON.
 */
public final class Probe {

    private Probe() {
    }

    /** A human-readable report, one backend per line. */
    public static String text() {
        StringBuilder text = new StringBuilder();
        for (Backend backend : Backends.all()) {
            Availability availability = backend.availability();
            text.append(String.format("%-7s %-11s %s%n", backend.name(),
                    availability.available() ? "available" : "unavailable", availability.detail()));
        }
        text.append("auto    chooses     ").append(Backends.describeAutomaticChoice()).append('\n');
        return text.toString();
    }

    /** The same report as one JSON object. */
    public static String json() {
        List<String> entries = new ArrayList<>();
        for (Backend backend : Backends.all()) {
            Availability availability = backend.availability();
            entries.add("{\"name\":" + Json.quote(backend.name()) + ",\"available\":" + availability.available()
                    + ",\"detail\":" + Json.quote(availability.detail()) + "}");
        }
        return "{\"backends\":[" + String.join(",", entries) + "],\"auto\":"
                + Json.quote(Backends.describeAutomaticChoice()) + "}";
    }
}
