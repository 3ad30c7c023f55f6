package io.tagwatch.cli;

import io.tagwatch.config.EngineConfig;
import io.tagwatch.read.TagIds;
import io.tagwatch.registry.IdCards;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.VehicleImport;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The row checks of {@code tagwatch import}: the header, then every field of every row, against
 * the file itself (a tag or a plate twice) and the registry (a tag or plate already registered, a tag
 * not registered, or already reported stolen). Each bad row gets one reason naming the column.
 */
final class ImportRows {
    static final Pattern PHONE = Pattern.compile("\\+?[0-9][0-9 -]{5,19}");

    /** A row left out and why. */
    record Bad(int line, String reason) {
    }

    /** Checks a whole file. */
    @FunctionalInterface
    interface Checker {
        ImportCommand.Checked check(CsvReader csv, Registry registry, EngineConfig config, ProgressBar progress)
                throws IOException;
    }

    private ImportRows() {
    }

    static ImportCommand.Checked vehicles(CsvReader csv, Registry registry, EngineConfig config, ProgressBar progress)
            throws IOException {
        Header h = Header.read(csv, List.of("plate", "tag", "kind", "owner_name", "owner_phone"),
                List.of("brand", "color", "owner_id_card"));
        IdCards idCards = new IdCards(config.idCardKey());
        if (h.has("owner_id_card") && !idCards.enabled()) {
            throw new IllegalArgumentException("the file has an owner_id_card column but no --id-card-key "
                    + "(TAGWATCH_ID_CARD_KEY) is configured: ID-card numbers are stored only as a keyed hash");
        }
        long[] registered = registered(registry);
        java.util.Set<String> plates = registry.registeredPlates();
        Map<Long, Integer> seen = new HashMap<>();
        Map<String, Integer> seenPlates = new HashMap<>();
        List<VehicleImport> good = new ArrayList<>();
        List<Bad> bad = eachRow(csv, h, progress, row -> {
            String plate = text(h.get(row, "plate"), "plate", 20, true);
            long tag = tag(h.get(row, "tag"));
            String kind = h.get(row, "kind").strip().toLowerCase(Locale.ROOT);
            if (!kind.equals("ebike") && !kind.equals("motorcycle")) {
                throw new IllegalArgumentException("kind: '" + h.get(row, "kind") + "' is neither ebike nor motorcycle");
            }
            String brand = text(h.get(row, "brand"), "brand", 40, false);
            String color = text(h.get(row, "color"), "color", 40, false);
            String name = text(h.get(row, "owner_name"), "owner_name", 100, true);
            String phone = h.get(row, "owner_phone").strip();
            if (!PHONE.matcher(phone).matches()) {
                throw new IllegalArgumentException("owner_phone: '" + phone + "' is not a phone number (digits, "
                        + "optional leading +, spaces or dashes, 6 to 20 characters)");
            }
            String idCard = h.get(row, "owner_id_card").strip();
            String idHash = null;
            String idMasked = null;
            if (!idCard.isEmpty()) {
                try {
                    idHash = idCards.hash(idCard);
                    idMasked = IdCards.mask(idCard);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("owner_id_card: " + e.getMessage());
                }
            }
            if (Arrays.binarySearch(registered, tag) >= 0) {
                throw new IllegalArgumentException("tag: " + TagIds.format(tag) + " is already registered");
            }
            String plateKey = Registry.plateKey(plate);
            if (plates.contains(plateKey)) {
                throw new IllegalArgumentException("plate: " + plate + " is already registered");
            }
            Integer plateFirst = seenPlates.get(plateKey);
            if (plateFirst != null) {
                throw new IllegalArgumentException("plate: " + plate + " repeats line " + plateFirst);
            }
            once(seen, tag, row.line());
            seenPlates.put(plateKey, row.line());
            good.add(new VehicleImport(plate, tag, kind, brand, color, name, phone, idHash, idMasked));
        });
        return new ImportCommand.Checked(good.size(), bad, (r, p) -> r.importVehicles(good, p::update));
    }

    static ImportCommand.Checked stolen(CsvReader csv, Registry registry, EngineConfig config, ProgressBar progress)
            throws IOException {
        Header h = Header.read(csv, List.of("tag"), List.of("reported_at"));
        long[] registered = registered(registry);
        long[] stolen = registry.openThefts().stream().mapToLong(t -> t.vehicle().tag()).sorted().toArray();
        Map<Long, Integer> seen = new HashMap<>();
        List<long[]> good = new ArrayList<>();
        List<Bad> bad = eachRow(csv, h, progress, row -> {
            long tag = tag(h.get(row, "tag"));
            long at = reportedAt(h.get(row, "reported_at"));
            if (Arrays.binarySearch(registered, tag) < 0) {
                throw new IllegalArgumentException("tag: no registered vehicle carries " + TagIds.format(tag));
            }
            if (Arrays.binarySearch(stolen, tag) >= 0) {
                throw new IllegalArgumentException("tag: " + TagIds.format(tag) + " is already reported stolen");
            }
            once(seen, tag, row.line());
            good.add(new long[] {tag, at});
        });
        return new ImportCommand.Checked(good.size(), bad, (r, p) -> r.importThefts(
                good.stream().mapToLong(g -> g[0]).toArray(), good.stream().mapToLong(g -> g[1]).toArray()));
    }

    /** Checks each data row (an {@link IllegalArgumentException} makes it bad) and returns the bad ones. */
    private static List<Bad> eachRow(CsvReader csv, Header h, ProgressBar progress,
                                     java.util.function.Consumer<CsvReader.Row> check) throws IOException {
        List<Bad> bad = new ArrayList<>();
        for (CsvReader.Row row = csv.next(); row != null; row = csv.next()) {
            progress.update(csv.charsRead());
            if (h.blank(row)) {
                continue;
            }
            try {
                h.checkWidth(row);
                check.accept(row);
            } catch (IllegalArgumentException e) {
                bad.add(new Bad(row.line(), e.getMessage()));
            }
        }
        return bad;
    }

    private static long[] registered(Registry registry) {
        long[] tags = registry.registeredTags().tags().clone();
        Arrays.sort(tags);
        return tags;
    }

    /** A tag may appear once in a file. */
    private static void once(Map<Long, Integer> seen, long tag, int line) {
        Integer first = seen.putIfAbsent(tag, line);
        if (first != null) {
            throw new IllegalArgumentException("tag: " + TagIds.format(tag) + " repeats line " + first);
        }
    }

    private static long tag(String text) {
        try {
            return TagIds.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tag: '" + text + "' is not a tag id: " + TagIds.WHAT_A_TAG_ID_IS);
        }
    }

    private static long reportedAt(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return Long.MIN_VALUE;
        }
        try {
            return t.length() == 10 ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
                    : Instant.parse(t).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("reported_at: '" + text + "' is not an ISO-8601 date or instant "
                    + "such as 2026-11-29 or 2026-11-29T08:30:00Z");
        }
    }

    private static String text(String v, String column, int max, boolean required) {
        String s = v.strip();
        if (s.isEmpty()) {
            if (required) {
                throw new IllegalArgumentException(column + ": is required");
            }
            return null;
        }
        if (s.length() > max) {
            throw new IllegalArgumentException(column + ": longer than " + max + " characters");
        }
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(column + ": contains a control character");
        }
        return s;
    }

    /** The header line: which column holds which field. */
    private record Header(Map<String, Integer> index, int width) {
        static Header read(CsvReader csv, List<String> required, List<String> optional) throws IOException {
            CsvReader.Row first = csv.next();
            if (first == null) {
                throw new IllegalArgumentException("the file is empty; the first line must be the header "
                        + String.join(",", required));
            }
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < first.fields().size(); i++) {
                String name = first.fields().get(i).strip().toLowerCase(Locale.ROOT);
                if (!required.contains(name) && !optional.contains(name)) {
                    throw new IllegalArgumentException("line 1: unknown column '" + name + "' (columns: "
                            + String.join(",", required) + " and optionally " + String.join(",", optional) + ")");
                }
                if (index.put(name, i) != null) {
                    throw new IllegalArgumentException("line 1: column '" + name + "' appears twice");
                }
            }
            for (String r : required) {
                if (!index.containsKey(r)) {
                    throw new IllegalArgumentException("line 1: the header lacks column '" + r + "' (required: "
                            + String.join(",", required) + ")");
                }
            }
            return new Header(index, first.fields().size());
        }

        boolean has(String column) {
            return index.containsKey(column);
        }

        String get(CsvReader.Row row, String column) {
            Integer i = index.get(column);
            return i == null ? "" : row.fields().get(i);
        }

        boolean blank(CsvReader.Row row) {
            return row.fields().size() == 1 && row.fields().get(0).isBlank();
        }

        void checkWidth(CsvReader.Row row) {
            if (row.fields().size() != width) {
                throw new IllegalArgumentException("has " + row.fields().size() + " fields, the header has " + width);
            }
        }
    }
}
