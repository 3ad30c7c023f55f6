package io.tagwatch.registry;

/** One row of a bulk vehicle registration (CSV import, demo fleet). */
public record VehicleImport(String plate, long tag, String kind, String brand, String color,
                            String ownerName, String ownerPhone) {
}
