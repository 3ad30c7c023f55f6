package io.tagwatch.registry;

/** A registered vehicle with its owner; {@code tag} is the unsigned 64-bit tag id. */
public record Vehicle(long id, String plate, long tag, String kind, String brand, String color,
                      long ownerId, String ownerName, String ownerPhone, boolean stolen) {
}
