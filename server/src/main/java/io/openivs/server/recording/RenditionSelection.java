package io.openivs.server.recording;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.server.recording.StreamRecorder.Offered;
import io.openivs.server.recording.StreamRecorder.Selection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of a stream's renditions a recording configuration's {@code renditionConfiguration} records
 * (API Reference, RenditionConfiguration; User Guide, "IVS Auto-Record to Amazon S3"): ALL (the
 * default), NONE, or CUSTOM with resolution classes LOWEST_RESOLUTION (up to 360p), SD (361-480p),
 * HD (481-720p) and FULL_HD (721-1080p). CUSTOM has no effect on BASIC channels. A class with no
 * rendition records the best available one instead: the tallest below the class, else the shortest.
 */
final class RenditionSelection {
    private RenditionSelection() {}

    static Selection choose(JsonNode config, String channelType, List<Offered> offered) {
        JsonNode rc = config.path("renditionConfiguration");
        String mode = rc.path("renditionSelection").asText("ALL");
        if ("NONE".equals(mode)) {
            return new Selection(false, List.of());
        }
        if (!"CUSTOM".equals(mode) || "BASIC".equals(channelType) || offered.isEmpty()) {
            return select(offered, offered);
        }
        Set<Offered> chosen = new LinkedHashSet<>();
        for (JsonNode c : rc.path("renditions")) {
            int[] range = range(c.asText());
            if (range == null) {
                continue;
            }
            boolean any = false;
            for (Offered o : offered) {
                if (o.height() >= range[0] && o.height() <= range[1]) {
                    chosen.add(o);
                    any = true;
                }
            }
            if (!any) {
                chosen.add(bestBelow(offered, range[0]));
            }
        }
        return select(offered, chosen);
    }

    /** Heights of a resolution class, inclusive; FULL_HD takes anything taller too. */
    private static int[] range(String resolutionClass) {
        return switch (resolutionClass) {
            case "LOWEST_RESOLUTION" -> new int[] {0, 360};
            case "SD" -> new int[] {361, 480};
            case "HD" -> new int[] {481, 720};
            case "FULL_HD" -> new int[] {721, Integer.MAX_VALUE};
            default -> null;
        };
    }

    private static Offered bestBelow(List<Offered> offered, int floor) {
        Offered best = null;
        Offered lowest = null;
        for (Offered o : offered) {
            if (o.height() < floor && (best == null || o.height() > best.height())) {
                best = o;
            }
            if (lowest == null || o.height() < lowest.height()) {
                lowest = o;
            }
        }
        return best != null ? best : lowest;
    }

    /** The selection of {@code chosen}, in the order offered. */
    private static Selection select(List<Offered> offered, Iterable<Offered> chosen) {
        Set<Offered> set = new LinkedHashSet<>();
        chosen.forEach(set::add);
        boolean source = false;
        List<String> rungs = new ArrayList<>();
        for (Offered o : offered) {
            if (set.contains(o)) {
                if (o.rung() == null) {
                    source = true;
                } else {
                    rungs.add(o.rung());
                }
            }
        }
        return new Selection(source, rungs);
    }
}
