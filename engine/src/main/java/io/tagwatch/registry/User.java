package io.tagwatch.registry;

/** A person's account. {@code district} is set for officers; {@code ownerId} for owners. */
public record User(long id, String username, Role role, String district, Long ownerId) {
}
