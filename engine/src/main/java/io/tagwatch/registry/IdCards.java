package io.tagwatch.registry;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Owners' ID-card numbers as stored: a keyed hash (HMAC-SHA256 under the operator's key, hex)
 * and a masked form for display. A keyed hash rather than a salted slow hash, because a clerk
 * must find an owner by the number (same input, same hash), and a plain hash of an 18-digit
 * number with a checksum and a birth date inside is guessed in minutes; without the key it is
 * not. Numbers are 18 characters (17 digits and a digit or X check character, ISO 7064 MOD 11-2,
 * as on PRC resident ID cards) or 15 digits (first-generation cards).
 *
 * <p>Thread-safe (a {@link Mac} per thread).
 */
public final class IdCards {
    private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final char[] CHECK = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

    private final SecretKeySpec key;
    /** Mac.getInstance looks the provider up each time: one initialised Mac per thread instead. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    /** {@code key} null means ID-card numbers are refused (no key configured). */
    public IdCards(String key) {
        this.key = key == null ? null : new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The number in its canonical form (trimmed, upper-case X), or an {@link IllegalArgumentException} saying why not. */
    public static String normalize(String number) {
        String n = number.strip().toUpperCase(Locale.ROOT);
        if (n.length() == 15 && n.chars().allMatch(Character::isDigit)) {
            return n;
        }
        if (n.length() != 18 || !n.substring(0, 17).chars().allMatch(ch -> ch >= '0' && ch <= '9')
                || !(Character.isDigit(n.charAt(17)) || n.charAt(17) == 'X')) {
            throw new IllegalArgumentException("an ID-card number is 18 characters (17 digits and a digit or X) or 15 digits");
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (n.charAt(i) - '0') * WEIGHTS[i];
        }
        if (CHECK[sum % 11] != n.charAt(17)) {
            throw new IllegalArgumentException("the ID-card number's check character is wrong (mistyped?)");
        }
        return n;
    }

    /** True when a key is configured. */
    public boolean enabled() {
        return key != null;
    }

    /** The keyed hash of a number (normalized first), lower-case hex. */
    public String hash(String number) {
        if (key == null) {
            throw new IllegalStateException("no --id-card-key configured: ID-card numbers cannot be stored");
        }
        return HexFormat.of().formatHex(macs.get().doFinal(normalize(number).getBytes(StandardCharsets.US_ASCII)));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The form shown to people: the first 3 and last 4 characters, the rest as {@code *}. */
    public static String mask(String number) {
        String n = normalize(number);
        return n.substring(0, 3) + "*".repeat(n.length() - 7) + n.substring(n.length() - 4);
    }
}
