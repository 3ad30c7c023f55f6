package io.tagwatch.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One page of a list. Every list answers {@code {items, limit, offset, next}}; {@code next}
 * is the offset of the following page, or null on the last one.
 */
record Page(int limit, int offset) {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    /** The answer for a page the database already cut to {@code limit}. */
    Map<String, Object> of(List<?> items) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items", items);
        m.put("limit", limit);
        m.put("offset", offset);
        m.put("next", items.size() == limit ? (Object) (offset + limit) : null);
        return m;
    }

    /** The answer for this page of a list held whole in memory. */
    Map<String, Object> slice(List<?> all) {
        int from = Math.min(offset, all.size());
        int to = (int) Math.min((long) from + limit, all.size());
        Map<String, Object> m = of(all.subList(from, to));
        m.put("next", to < all.size() ? to : null);
        return m;
    }
}
