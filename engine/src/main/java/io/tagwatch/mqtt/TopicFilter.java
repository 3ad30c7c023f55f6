package io.tagwatch.mqtt;

/** MQTT topic filter matching ({@code +} one level, {@code #} the rest). Stateless. */
final class TopicFilter {
    private TopicFilter() {
    }

    static boolean matches(String filter, String topic) {
        int f = 0;
        int t = 0;
        int fl = filter.length();
        int tl = topic.length();
        while (f < fl) {
            char c = filter.charAt(f);
            if (c == '#') {
                return true;
            }
            if (c == '+') {
                while (t < tl && topic.charAt(t) != '/') {
                    t++;
                }
                f++;
            } else {
                if (t >= tl || topic.charAt(t) != c) {
                    // "a/#" also matches "a"
                    return t >= tl && filter.startsWith("/#", f);
                }
                f++;
                t++;
            }
        }
        return t == tl;
    }

    /** Whether a filter is well formed: '#' only last and alone in its level, '+' alone in its level. */
    static boolean valid(String filter) {
        if (filter.isEmpty()) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.contains("#") && (!l.equals("#") || i != levels.length - 1)) {
                return false;
            }
            if (l.contains("+") && !l.equals("+")) {
                return false;
            }
        }
        return true;
    }
}
