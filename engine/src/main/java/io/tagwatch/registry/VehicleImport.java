package io.tagwatch.registry;

/**
 * One row of a bulk vehicle registration (CSV import, demo fleet). The owner's ID-card number
 * arrives only as its keyed hash and masked form ({@link IdCards}), both null when not given.
 */
public record VehicleImport(String plate, long tag, String kind, String brand, String color,
                            String ownerName, String ownerPhone, String ownerIdCardHash, String ownerIdCardMasked) {

    /** A row without an ID-card number. */
    public VehicleImport(String plate, long tag, String kind, String brand, String color, String ownerName,
                         String ownerPhone) {
        this(plate, tag, kind, brand, color, ownerName, ownerPhone, null, null);
    }
}
