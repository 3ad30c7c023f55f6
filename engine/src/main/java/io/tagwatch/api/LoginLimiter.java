package io.tagwatch.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Failed logins counted per account and per client address, each over a window that starts
 * at its first failure. Past either limit, login answers 429 until that window ends, even with
 * the right password, so guessing costs an attacker the window each few tries. A success clears
 * the account's count (not the address's: one address guessing many accounts stays limited).
 *
 * <p>Thread-safe.
 */
final class LoginLimiter {
    static final int FAILURES_PER_ACCOUNT = 5;
    static final int FAILURES_PER_ADDRESS = 20;
    static final Duration WINDOW = Duration.ofMinutes(15);

    private final Cache<String, AtomicInteger> accounts = window();
    private final Cache<String, AtomicInteger> addresses = window();

    private static Cache<String, AtomicInteger> window() {
        // expireAfterWrite: the counter is written once, when created, so the window runs from the first failure.
        return Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(WINDOW).build();
    }

    /** Throws 429 when the account or the address has used up its failures. */
    void check(String account, String address) {
        if (count(accounts, account) >= FAILURES_PER_ACCOUNT) {
            throw tooMany("this account");
        }
        if (count(addresses, address) >= FAILURES_PER_ADDRESS) {
            throw tooMany("your address");
        }
    }

    void failed(String account, String address) {
        accounts.get(account, k -> new AtomicInteger()).incrementAndGet();
        addresses.get(address, k -> new AtomicInteger()).incrementAndGet();
    }

    void succeeded(String account) {
        accounts.invalidate(account);
    }

    private static int count(Cache<String, AtomicInteger> cache, String key) {
        AtomicInteger n = cache.getIfPresent(key);
        return n == null ? 0 : n.get();
    }

    private static ApiException tooMany(String who) {
        return new ApiException(429, "too_many_requests", null,
                "too many failed logins from " + who + "; try again in " + WINDOW.toMinutes() + " minutes");
    }
}
