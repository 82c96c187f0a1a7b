package io.dpuoffload.bench.operator;

/** Reads counters out of a Prometheus text exposition, as a scraper would. */
final class PromText {
    private PromText() {}

    /** The sum of every series of {@code metric} (all label sets), 0 when there is none. */
    static double sum(String exposition, String metric) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(metric)) {
                continue;
            }
            String rest = line.substring(metric.length());
            if (!(rest.startsWith("{") || rest.startsWith(" "))) {
                continue; // a longer name that starts with this one
            }
            int labelsEnd = rest.startsWith("{") ? rest.indexOf('}') + 1 : 0;
            String[] value = rest.substring(labelsEnd).strip().split("\\s+");
            total += Double.parseDouble(value[0]);
        }
        return total;
    }
}
