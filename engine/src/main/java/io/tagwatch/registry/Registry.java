package io.tagwatch.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of readers, users, owners, vehicles and theft reports, kept in PostgreSQL.
 * Every change to what the hot lists hold calls the {@code listsChanged} hook, which
 * schedules a (coalesced) rebuild.
 *
 * <p>Thread-safe; every method may block on the database, so none runs on an event loop.
 */
public final class Registry {
    /** From this many rows an import checks the vehicles' owner references once, not row by row. */
    static final int BULK_IMPORT_ROWS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(Registry.class);
    /** Reader ids and usernames appear in MQTT topics: no '/', '+', '#', spaces. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final DataSource db;
    private final Runnable listsChanged;
    private final Runnable registryChanged;
    private final ReaderDirectory readers = new ReaderDirectory();
    /** How long a verified reader secret is taken without asking the database (another node may rotate it). */
    public static final Duration VERIFIED_SECRET_TTL = Duration.ofMinutes(10);
    /** A reader secret verified against the database (its digest), and when. */
    private record Verified(String digest, long atMillis) {
    }

    /**
     * The secret each active reader last logged in with here: taken without the database for
     * {@code verifiedSecretTtl}, and while the database does not answer (see {@link #authenticateReader}).
     * One entry a reader, forgotten when it is rotated or retired here.
     */
    private final java.util.Map<String, Verified> verifiedReaderSecrets = new java.util.concurrent.ConcurrentHashMap<>();
    private final long verifiedSecretTtlMillis;
    public static final long DATABASE_RETRY_MILLIS = 5_000;
    private volatile long databaseDownUntil;
    private final Duration tokenTtl;

    public Registry(DataSource db, Duration tokenTtl, Runnable listsChanged, Runnable registryChanged) {
        this(db, tokenTtl, VERIFIED_SECRET_TTL, listsChanged, registryChanged);
    }

    /** As above, a verified reader secret taken for {@code verifiedSecretTtl} (tests shorten it). */
    public Registry(DataSource db, Duration tokenTtl, Duration verifiedSecretTtl, Runnable listsChanged,
                    Runnable registryChanged) {
        this.verifiedSecretTtlMillis = verifiedSecretTtl.toMillis();
        this.db = db;
        this.tokenTtl = tokenTtl;
        this.listsChanged = listsChanged;
        this.registryChanged = registryChanged;
        loadReaders();
    }

    public ReaderDirectory readers() {
        return readers;
    }

    private volatile long readersReloadedAt;

    /**
     * The active reader with this id, or null. A reader provisioned through another node is not
     * yet in this node's directory: an unknown id reloads the readers from the database, at most
     * once every five seconds.
     */
    public ReaderInfo reader(String id) {
        ReaderInfo r = readers.byId(id);
        long now = System.currentTimeMillis();
        if (r == null && now - readersReloadedAt > 5_000) {
            readersReloadedAt = now;
            loadReaders();
            r = readers.byId(id);
        }
        return r;
    }

    // ---------------------------------------------------------------- readers

    /** Provisions a reader; the returned secret is shown once and stored only as a salted hash. */
    public String createReader(String id, String name, double lat, double lon, String district) {
        requireId("id", id);
        requireText("name", name);
        requireText("district", district);
        if (!(lat >= -90 && lat <= 90)) {
            throw RegistryException.invalid("lat", "must be between -90 and 90");
        }
        if (!(lon >= -180 && lon <= 180)) {
            throw RegistryException.invalid("lon", "must be between -180 and 180");
        }
        String secret = SecretHasher.newSecret();
        String hash = SecretHasher.hash(secret, SecretHasher.SECRET_ITERATIONS);
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO readers (id, name, lat, lon, district, secret_hash) VALUES (?,?,?,?,?,?) "
                             + "ON CONFLICT (id) DO NOTHING")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setDouble(3, lat);
            ps.setDouble(4, lon);
            ps.setString(5, district);
            ps.setString(6, hash);
            if (ps.executeUpdate() == 0) {
                throw RegistryException.conflict("id", "reader " + id + " already exists");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create reader id=" + id, e);
        }
        readers.add(id, name, lat, lon, district);
        log.info("reader provisioned id={} district={}", id, district);
        return secret;
    }

    /** A new secret for an active reader (shown once); the old one stops working at once. */
    public String rotateReaderSecret(String id) {
        String secret = SecretHasher.newSecret();
        int n = update("UPDATE readers SET secret_hash = ? WHERE id = ? AND retired_at IS NULL",
                SecretHasher.hash(secret, SecretHasher.SECRET_ITERATIONS), id);
        if (n == 0) {
            throw RegistryException.notFound("reader " + id);
        }
        verifiedReaderSecrets.remove(id);
        log.info("reader secret rotated id={}", id);
        return secret;
    }

    /** Retires a reader: it can no longer connect; its past sightings and hits stay. */
    public void retireReader(String id) {
        if (update("UPDATE readers SET retired_at = now() WHERE id = ? AND retired_at IS NULL", id) == 0) {
            throw RegistryException.notFound("reader " + id);
        }
        readers.retire(id);
        verifiedReaderSecrets.remove(id);
        log.info("reader retired id={}", id);
    }

    /**
     * True when the id names an active reader and the secret matches its stored hash. While the
     * database cannot be reached, a reader is let in on the secret this node last verified for it
     * (until rotated or retired here): reads are journaled and acknowledged through an outage, and a
     * reader that reconnects then — its own network blinked — was refused until the database came
     * back. After a failed query the database is not asked again for {@link #DATABASE_RETRY_MILLIS}
     * ms, so reconnecting readers do not each wait out the pool's timeout.
     *
     * @throws IllegalStateException when the database cannot be reached and this node never verified the reader
     */
    public boolean authenticateReader(String id, String secret) {
        if (id == null || secret == null || readers.byId(id) == null || readers.retired(id)) {
            return false;
        }
        String digest = SecretHasher.sha256(secret);
        Verified verified = verifiedReaderSecrets.get(id);
        boolean asVerified = verified != null && verified.digest().equals(digest);
        long now = System.currentTimeMillis();
        if (asVerified && now - verified.atMillis() < verifiedSecretTtlMillis) {
            return true;
        }
        if (verified != null && now < databaseDownUntil) {
            return asVerified;
        }
        String stored;
        try {
            stored = queryString("SELECT secret_hash FROM readers WHERE id = ? AND retired_at IS NULL", id);
        } catch (IllegalStateException e) {
            databaseDownUntil = System.currentTimeMillis() + DATABASE_RETRY_MILLIS;
            if (verified == null) {
                throw e;
            }
            log.warn("reader id={} checked against its last verified secret: the database does not answer ({})", id,
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return asVerified;
        }
        if (SecretHasher.verify(secret, stored)) {
            verifiedReaderSecrets.put(id, new Verified(digest, now));
            return true;
        }
        return false;
    }

    private void loadReaders() {
        try (Connection c = db.getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(
                     "SELECT id, name, lat, lon, district FROM readers WHERE retired_at IS NULL ORDER BY created_at, id")) {
            while (rs.next()) {
                readers.add(rs.getString(1), rs.getString(2), rs.getDouble(3), rs.getDouble(4), rs.getString(5));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load readers", e);
        }
    }

    // ---------------------------------------------------------------- users

    /** Creates a user. Owners need the phone of an owner record (created if missing). */
    public User createUser(String username, String password, Role role, String district, String ownerPhone) {
        requireId("username", username);
        if (password == null || password.length() < 8) {
            throw RegistryException.invalid("password", "must be at least 8 characters");
        }
        if (role == Role.OFFICER) {
            requireText("district", district);
        }
        Long ownerId = null;
        if (role == Role.OWNER) {
            requireText("phone", ownerPhone);
        }
        String hash = SecretHasher.hash(password, SecretHasher.PASSWORD_ITERATIONS);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (role == Role.OWNER) {
                    ownerId = findOrCreateOwner(c, username, ownerPhone, false);
                }
                long id;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO users (username, password_hash, role, district, owner_id) VALUES (?,?,?,?,?) "
                                + "ON CONFLICT (username) DO NOTHING RETURNING id")) {
                    ps.setString(1, username);
                    ps.setString(2, hash);
                    ps.setString(3, role.dbName());
                    ps.setString(4, district);
                    ps.setObject(5, ownerId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw RegistryException.conflict("username", "user " + username + " already exists");
                        }
                        id = rs.getLong(1);
                    }
                }
                c.commit();
                log.info("user created username={} role={}", username, role.dbName());
                return new User(id, username, role, district, ownerId);
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create user username=" + username, e);
        }
    }

    /**
     * Creates the {@code admin} user at first start. Returns the password that was set when
     * the account was created now and no password was given, so the caller can show it once.
     */
    public Optional<String> ensureAdmin(String configuredPassword) {
        if (queryString("SELECT username FROM users WHERE username = 'admin'") != null) {
            return Optional.empty();
        }
        String password = configuredPassword != null ? configuredPassword : SecretHasher.newSecret();
        try {
            createUser("admin", password, Role.ADMIN, null, null);
        } catch (RegistryException e) {
            if (e.kind() != RegistryException.Kind.CONFLICT) {
                throw e;
            }
            return Optional.empty(); // another node sharing the database created it at the same moment
        }
        return configuredPassword != null ? Optional.empty() : Optional.of(password);
    }

    /** The user when the password matches, else empty (same answer for unknown users). */
    public Optional<User> authenticateUser(String username, String password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT id, username, role, district, owner_id, password_hash FROM users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !SecretHasher.verify(password, rs.getString(6))) {
                    return Optional.empty();
                }
                return Optional.of(userFrom(rs));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot authenticate username=" + username, e);
        }
    }

    /** Issues a bearer token for the user; only its SHA-256 is stored. */
    public String issueToken(User user) {
        String token = SecretHasher.newSecret() + SecretHasher.newSecret();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO api_tokens (token_hash, user_id, expires_at) VALUES (?,?,?)")) {
            ps.setString(1, SecretHasher.sha256(token));
            ps.setLong(2, user.id());
            ps.setTimestamp(3, Timestamp.from(Instant.now().plus(tokenTtl)));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot issue token user=" + user.username(), e);
        }
        return token;
    }

    /** The user holding this unexpired, unrevoked token, or empty. */
    public Optional<User> userForToken(String token) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT u.id, u.username, u.role, u.district, u.owner_id FROM api_tokens t "
                             + "JOIN users u ON u.id = t.user_id "
                             + "WHERE t.token_hash = ? AND t.expires_at > now() AND t.revoked_at IS NULL")) {
            ps.setString(1, SecretHasher.sha256(token));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(userFrom(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot check token", e);
        }
    }

    /** Revokes a token (logout); true when it was live. */
    public boolean revokeToken(String token) {
        return update("UPDATE api_tokens SET revoked_at = now() WHERE token_hash = ? AND revoked_at IS NULL",
                SecretHasher.sha256(token)) > 0;
    }

    /** Users by id, one page. */
    public List<User> users(int limit, int offset) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT id, username, role, district, owner_id FROM users ORDER BY id LIMIT ? OFFSET ?")) {
            ps.setInt(1, limit);
            ps.setInt(2, offset);
            try (ResultSet rs = ps.executeQuery()) {
                List<User> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(userFrom(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list users offset=" + offset, e);
        }
    }

    private static User userFrom(ResultSet rs) throws SQLException {
        long ownerId = rs.getLong(5);
        Long owner = rs.wasNull() ? null : ownerId;
        return new User(rs.getLong(1), rs.getString(2), Role.parse(rs.getString(3)), rs.getString(4), owner);
    }

    // ---------------------------------------------------------------- vehicles

    /** Registers a vehicle; its owner is found by phone or created. */
    public Vehicle registerVehicle(String plate, long tag, String kind, String brand, String color,
                                   String ownerName, String ownerPhone) {
        requireText("plate", plate);
        plate = plate.strip();
        if (!"ebike".equals(kind) && !"motorcycle".equals(kind)) {
            throw RegistryException.invalid("kind", "must be ebike or motorcycle");
        }
        requireText("owner.name", ownerName);
        requireText("owner.phone", ownerPhone);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                long ownerId = findOrCreateOwner(c, ownerName, ownerPhone, true);
                long id;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO vehicles (plate, tag, kind, brand, color, owner_id) VALUES (?,?,?,?,?,?) "
                                + "RETURNING id")) {
                    ps.setString(1, plate);
                    ps.setLong(2, tag);
                    ps.setString(3, kind);
                    ps.setString(4, brand);
                    ps.setString(5, color);
                    ps.setLong(6, ownerId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    } catch (SQLException e) {
                        RegistryException conflict = vehicleConflict(e, plate);
                        if (conflict != null) {
                            throw conflict;
                        }
                        throw e;
                    }
                }
                notifyListsChanged(c, "registry");
                c.commit();
                registryChanged.run();
                return vehicle(id).orElseThrow();
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register vehicle plate=" + plate, e);
        }
    }

    /**
     * A unique index refusing a vehicle as the conflict a clerk reads (the plate's index, else the
     * tag's), or null when {@code e} is another failure.
     */
    private static RegistryException vehicleConflict(SQLException e, String plate) {
        if (!"23505".equals(e.getSQLState()) || !(e instanceof org.postgresql.util.PSQLException p)
                || p.getServerErrorMessage() == null) {
            return null;
        }
        if ("vehicles_plate_key".equals(p.getServerErrorMessage().getConstraint())) {
            return RegistryException.conflict("plate", "plate " + plate + " is already registered to another vehicle");
        }
        return RegistryException.conflict("tag", "this tag is already bound to another vehicle");
    }

    /**
     * Registers many vehicles in one transaction: rows are streamed with COPY into a staging
     * table, owners are matched by phone (or created), and vehicles inserted. A tag that is
     * already registered (or repeated in the input) fails the whole import with a conflict,
     * so nothing half-imported is left behind.
     *
     * @return how many vehicles were registered
     */
    public long importVehicles(Iterable<VehicleImport> rows) {
        return importVehicles(rows, n -> { });
    }

    /** {@link #importVehicles(Iterable)}, telling {@code streamed} how many rows have gone to the database so far. */
    public long importVehicles(Iterable<VehicleImport> rows, java.util.function.LongConsumer streamed) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    // The joins and DISTINCTs below sort every row of the file: in memory, not in temporary files.
                    st.execute("SET LOCAL work_mem = '64MB'");
                    st.execute("CREATE TEMP TABLE vehicle_import (plate TEXT, tag BIGINT, kind TEXT, brand TEXT, "
                            + "color TEXT, owner_name TEXT, owner_phone TEXT, id_card_hash TEXT, id_card_masked TEXT) ON COMMIT DROP");
                }
                org.postgresql.copy.CopyManager copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
                StringBuilder sb = new StringBuilder(1 << 20);
                org.postgresql.copy.CopyIn in = copy.copyIn("COPY vehicle_import FROM STDIN");
                long n = 0;
                try {
                    for (VehicleImport v : rows) {
                        sb.append(copyText(v.plate())).append('\t').append(v.tag()).append('\t')
                                .append(copyText(v.kind())).append('\t').append(copyText(v.brand())).append('\t')
                                .append(copyText(v.color())).append('\t').append(copyText(v.ownerName())).append('\t')
                                .append(copyText(v.ownerPhone())).append('\t').append(copyText(v.ownerIdCardHash()))
                                .append('\t').append(copyText(v.ownerIdCardMasked())).append('\n');
                        n++;
                        if (sb.length() > (1 << 20) - 512) {
                            byte[] b = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                            in.writeToCopy(b, 0, b.length);
                            sb.setLength(0);
                            streamed.accept(n);
                        }
                    }
                    byte[] b = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    in.writeToCopy(b, 0, b.length);
                    in.endCopy();
                    streamed.accept(n);
                } finally {
                    if (in.isActive()) {
                        in.cancelCopy();
                    }
                }
                long count;
                try (Statement st = c.createStatement()) {
                    st.execute("ANALYZE vehicle_import");
                    // An import at least as large as the registry it goes into (a city's first load) builds
                    // the owners' and vehicles' secondary indexes once after inserting, not row by row.
                    RebuiltIndexes rebuilt = n >= BULK_IMPORT_ROWS && n >= rowCount(st, "vehicles")
                            ? RebuiltIndexes.drop(c, "owners", "vehicles") : null;
                    // An owner already registered without an ID card gets the one the import brings (before the new
                    // owners are added, so only those already there are joined).
                    st.execute("UPDATE owners o SET id_card_hash = i.id_card_hash, id_card_masked = i.id_card_masked "
                            + "FROM (SELECT DISTINCT ON (owner_phone) owner_phone, id_card_hash, id_card_masked FROM vehicle_import "
                            + "WHERE id_card_hash IS NOT NULL) i WHERE o.phone = i.owner_phone AND o.id_card_hash IS NULL");
                    st.execute("INSERT INTO owners (name, phone, id_card_hash, id_card_masked) SELECT DISTINCT ON (owner_phone) "
                            + "owner_name, owner_phone, id_card_hash, id_card_masked "
                            + "FROM vehicle_import i WHERE NOT EXISTS (SELECT 1 FROM owners o WHERE o.phone = i.owner_phone)");
                    try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT tag) FROM vehicle_import "
                            + "WHERE kind NOT IN ('ebike', 'motorcycle') OR plate IS NULL")) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            throw RegistryException.invalid("kind", rs.getLong(1) + " rows without a plate or with a kind other than ebike or motorcycle");
                        }
                    }
                    // A large import checks the vehicles' owner reference once for the whole table instead
                    // of by a trigger query per row (PostgreSQL's advice for bulk loads, "Populating a
                    // Database": 2.4 of the 5.7 s of inserting 220,000 vehicles went to those queries).
                    // Dropping the constraint locks the vehicles table until commit; all of it is one
                    // transaction, so the constraint is back (and checked) or nothing happened.
                    boolean bulk = n >= BULK_IMPORT_ROWS;
                    if (bulk) {
                        st.execute("ALTER TABLE vehicles DROP CONSTRAINT vehicles_owner_id_fkey");
                    }
                    // A join, not a correlated sub-select: the planner's statistics on owners are stale
                    // right after the insert above, and a per-row lookup can degrade to a scan per row.
                    count = st.executeUpdate("INSERT INTO vehicles (plate, tag, kind, brand, color, owner_id) "
                            + "SELECT i.plate, i.tag, i.kind, i.brand, i.color, o.id FROM vehicle_import i "
                            + "JOIN (SELECT DISTINCT ON (phone) phone, id FROM owners ORDER BY phone, id) o "
                            + "ON o.phone = i.owner_phone");
                    if (rebuilt != null) {
                        rebuilt.restore(c);
                        log.info("import: indexes built after inserting {}", rebuilt.names());
                    }
                    if (bulk) {
                        st.execute("ALTER TABLE vehicles ADD CONSTRAINT vehicles_owner_id_fkey "
                                + "FOREIGN KEY (owner_id) REFERENCES owners (id)");
                    }
                } catch (SQLException e) {
                    if ("23505".equals(e.getSQLState())) {
                        throw RegistryException.conflict("tag", "a tag or plate in the import is already registered or repeated");
                    }
                    throw e;
                }
                notifyListsChanged(c, "registry");
                c.commit();
                registryChanged.run();
                log.info("imported vehicles={}", count);
                return count;
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot import vehicles: " + e.getMessage(), e);
        }
    }

    private static long rowCount(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A value in COPY text format: backslash, tab and newline escaped, null as \N. */
    private static String copyText(String s) {
        if (s == null) {
            return "\\N";
        }
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    public Optional<Vehicle> vehicle(long id) {
        List<Vehicle> found = vehicles(VEHICLE_SELECT + " WHERE v.id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The vehicle bound to this tag, if any. */
    public Optional<Vehicle> vehicleByTag(long tag) {
        List<Vehicle> found = vehicles(VEHICLE_SELECT + " WHERE v.tag = ?", tag);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * Vehicles matching every criterion given (null = any): plate (trimmed, any case), tag, owner phone.
     * Oldest first, one page.
     */
    public List<Vehicle> searchVehicles(String plate, Long tag, String phone, int limit, int offset) {
        String sql = VEHICLE_SELECT + " WHERE (?::text IS NULL OR upper(v.plate) = upper(btrim(?))) AND (?::bigint IS NULL OR v.tag = ?) "
                + "AND (?::text IS NULL OR o.phone = ?) ORDER BY v.id LIMIT ? OFFSET ?";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, plate);
            ps.setString(2, plate);
            ps.setObject(3, tag, java.sql.Types.BIGINT);
            ps.setObject(4, tag, java.sql.Types.BIGINT);
            ps.setString(5, phone);
            ps.setString(6, phone);
            ps.setInt(7, limit);
            ps.setInt(8, offset);
            return vehicleRows(ps);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot search vehicles plate=" + plate + " phone=" + phone, e);
        }
    }

    /** Registers an owner (a person with a phone); a phone already registered is a conflict. */
    public Owner registerOwner(String name, String phone) {
        requireText("name", name);
        requireText("phone", phone);
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO owners (name, phone) SELECT ?, ? "
                     + "WHERE NOT EXISTS (SELECT 1 FROM owners WHERE phone = ?) RETURNING id")) {
            ps.setString(1, name);
            ps.setString(2, phone);
            ps.setString(3, phone);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw RegistryException.conflict("phone", "an owner with this phone is already registered");
                }
                return new Owner(rs.getLong(1), name, phone);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register owner", e);
        }
    }

    /**
     * Binds a new tag to a vehicle (a lost or broken tag replaced); the old tag leaves every
     * list, the new one takes its place. The change is in the audit log.
     */
    public Vehicle bindTag(long vehicleId, long tag, User actor) {
        Vehicle before = vehicle(vehicleId).orElseThrow(() -> RegistryException.notFound("vehicle " + vehicleId));
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("UPDATE vehicles SET tag = ? WHERE id = ?")) {
                    ps.setLong(1, tag);
                    ps.setLong(2, vehicleId);
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if ("23505".equals(e.getSQLState())) {
                        throw RegistryException.conflict("tag", "tag is already bound to another vehicle");
                    }
                    throw e;
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO audit_log (user_id, action, vehicle_id, reason) VALUES (?, 'tag-bound', ?, ?)")) {
                    ps.setLong(1, actor.id());
                    ps.setLong(2, vehicleId);
                    ps.setString(3, "tag " + Long.toHexString(before.tag()).toUpperCase(java.util.Locale.ROOT)
                            + " replaced by " + Long.toHexString(tag).toUpperCase(java.util.Locale.ROOT));
                    ps.executeUpdate();
                }
                notifyListsChanged(c, "registry");
                notifyListsChanged(c, "stolen");
                notifyListsChanged(c, "watchlist");
                c.commit();
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot bind tag vehicle=" + vehicleId, e);
        }
        log.info("tag bound vehicle={} by={}", vehicleId, actor.username());
        registryChanged.run();
        listsChanged.run();
        return vehicle(vehicleId).orElseThrow();
    }

    /** The theft reports of a vehicle, newest first. */
    public List<TheftReport> theftReports(long vehicleId) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, status, reported_at, closed_at FROM theft_reports "
                     + "WHERE vehicle_id = ? ORDER BY reported_at DESC, id DESC")) {
            ps.setLong(1, vehicleId);
            try (ResultSet rs = ps.executeQuery()) {
                List<TheftReport> out = new ArrayList<>();
                while (rs.next()) {
                    Timestamp closed = rs.getTimestamp(4);
                    out.add(new TheftReport(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                            closed == null ? null : closed.toInstant()));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read theft reports vehicle=" + vehicleId, e);
        }
    }

    /** Vehicles of one owner, newest first. */
    public List<Vehicle> vehiclesOfOwner(long ownerId) {
        return vehicles(VEHICLE_SELECT + " WHERE v.owner_id = ? ORDER BY v.id DESC", ownerId);
    }

    private static final String VEHICLE_SELECT =
            "SELECT v.id, v.plate, v.tag, v.kind, v.brand, v.color, o.id, o.name, o.phone, "
                    + "EXISTS (SELECT 1 FROM theft_reports t WHERE t.vehicle_id = v.id AND t.status = 'open') "
                    + "FROM vehicles v JOIN owners o ON o.id = v.owner_id";

    private List<Vehicle> vehicles(String sql, long param) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, param);
            return vehicleRows(ps);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read vehicles param=" + param, e);
        }
    }

    private static List<Vehicle> vehicleRows(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<Vehicle> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Vehicle(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getLong(7), rs.getString(8), rs.getString(9),
                        rs.getBoolean(10)));
            }
            return out;
        }
    }

    /**
     * The owner with this phone, or a new one. With {@code sameName}, a phone that belongs to someone
     * of another name is a conflict: a vehicle must not silently go to another person than the one
     * typed (an owner's login account, named by its username, only links to the phone's owner).
     */
    private static long findOrCreateOwner(Connection c, String name, String phone, boolean sameName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, name FROM owners WHERE phone = ? ORDER BY id LIMIT 1")) {
            ps.setString(1, phone);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    String registered = rs.getString(2);
                    if (sameName && !registered.strip().equalsIgnoreCase(name.strip())) {
                        throw RegistryException.conflict("owner.phone", "phone " + phone + " belongs to owner "
                                + registered + ", not " + name.strip() + ": check the phone, or register the vehicle to "
                                + registered);
                    }
                    return rs.getLong(1);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO owners (name, phone) VALUES (?,?) RETURNING id")) {
            ps.setString(1, name);
            ps.setString(2, phone);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    // ---------------------------------------------------------------- thefts

    /**
     * Opens a theft report; the vehicle is on the stolen list as soon as the rebuild this
     * schedules has run. An owner may report only their own vehicle.
     */
    public long reportTheft(long vehicleId, User actor) {
        Vehicle v = vehicle(vehicleId).orElseThrow(() -> RegistryException.notFound("vehicle " + vehicleId));
        if (actor.role() == Role.OWNER && (actor.ownerId() == null || actor.ownerId() != v.ownerId())) {
            // Same answer as for a vehicle that does not exist: an owner learns nothing of others' vehicles.
            throw RegistryException.notFound("vehicle " + vehicleId);
        }
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO theft_reports (vehicle_id, reported_by) VALUES (?, ?) "
                             + "ON CONFLICT (vehicle_id) WHERE status = 'open' DO NOTHING RETURNING id")) {
            ps.setLong(1, vehicleId);
            ps.setLong(2, actor.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw RegistryException.conflict("vehicle", "vehicle " + vehicleId + " is already reported stolen");
                }
                long id = rs.getLong(1);
                notifyListsChanged(c, "stolen");
                log.info("theft reported vehicle={} report={} by={}", vehicleId, id, actor.username());
                listsChanged.run();
                return id;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot report theft vehicle=" + vehicleId, e);
        }
    }

    /**
     * Opens theft reports for many vehicles, by tag, in one transaction (bulk import): a tag no
     * vehicle carries, or a vehicle already reported stolen, fails the whole import, so nothing
     * half-imported is left behind. {@code reportedAt} holds epoch ms per tag, or
     * {@code Long.MIN_VALUE} for now.
     *
     * @return how many theft reports were opened
     */
    public long importThefts(long[] tags, long[] reportedAt) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Long[] t = new Long[tags.length];
                java.sql.Timestamp[] at = new java.sql.Timestamp[tags.length];
                for (int i = 0; i < tags.length; i++) {
                    t[i] = tags[i];
                    at[i] = reportedAt[i] == Long.MIN_VALUE ? null : new java.sql.Timestamp(reportedAt[i]);
                }
                long count;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO theft_reports (vehicle_id, reported_at) "
                        + "SELECT v.id, COALESCE(x.at, now()) FROM unnest(?::bigint[], ?::timestamptz[]) x (tag, at) "
                        + "JOIN vehicles v ON v.tag = x.tag")) {
                    ps.setArray(1, c.createArrayOf("bigint", t));
                    ps.setArray(2, c.createArrayOf("timestamptz", at));
                    count = ps.executeUpdate();
                } catch (SQLException e) {
                    if ("23505".equals(e.getSQLState())) {
                        throw RegistryException.conflict("tag", "a vehicle in the import is already reported stolen");
                    }
                    throw e;
                }
                if (count != tags.length) {
                    throw RegistryException.invalid("tag", (tags.length - count) + " tags are carried by no registered vehicle");
                }
                notifyListsChanged(c, "stolen");
                c.commit();
                listsChanged.run();
                log.info("imported theft reports={}", count);
                return count;
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot import theft reports: " + e.getMessage(), e);
        }
    }

    /** Closes the open theft report as recovered; the vehicle leaves the stolen list. */
    public void recover(long vehicleId, User actor) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE theft_reports SET status = 'recovered', closed_by = ?, closed_at = now() "
                             + "WHERE vehicle_id = ? AND status = 'open'")) {
            ps.setLong(1, actor.id());
            ps.setLong(2, vehicleId);
            if (ps.executeUpdate() == 0) {
                vehicle(vehicleId).orElseThrow(() -> RegistryException.notFound("vehicle " + vehicleId));
                throw RegistryException.conflict("vehicle", "vehicle " + vehicleId + " has no open theft report");
            }
            notifyListsChanged(c, "stolen");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot recover vehicle=" + vehicleId, e);
        }
        log.info("vehicle recovered vehicle={} by={}", vehicleId, actor.username());
        listsChanged.run();
    }

    // ---------------------------------------------------------------- watchlist

    /** Puts a vehicle on the watchlist (officer, admin); every node's list follows at once. */
    public WatchEntry addWatch(long vehicleId, String reason, String district, Instant expiresAt, User actor) {
        requireText("reason", reason);
        if (expiresAt == null || !expiresAt.isAfter(Instant.now())) {
            throw RegistryException.invalid("expiresAt", "must be in the future");
        }
        vehicle(vehicleId).orElseThrow(() -> RegistryException.notFound("vehicle " + vehicleId));
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO watchlist (vehicle_id, reason, district, created_by, "
                     + "expires_at) VALUES (?,?,?,?,?) RETURNING id")) {
            ps.setLong(1, vehicleId);
            ps.setString(2, reason);
            ps.setString(3, district);
            ps.setLong(4, actor.id());
            ps.setTimestamp(5, Timestamp.from(expiresAt));
            long id;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            notifyListsChanged(c, "watchlist");
            log.info("watchlist entry={} vehicle={} district={} until={} by={}", id, vehicleId, district, expiresAt,
                    actor.username());
            listsChanged.run();
            return activeWatches().stream().filter(w -> w.id() == id).findFirst().orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot add watchlist entry vehicle=" + vehicleId, e);
        }
    }

    /** Takes an entry off the watchlist. */
    public void removeWatch(long id, User actor) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE watchlist SET removed_at = now(), removed_by = ? WHERE id = ? AND removed_at IS NULL")) {
            ps.setLong(1, actor.id());
            ps.setLong(2, id);
            if (ps.executeUpdate() == 0) {
                throw RegistryException.notFound("watchlist entry " + id);
            }
            notifyListsChanged(c, "watchlist");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot remove watchlist entry id=" + id, e);
        }
        log.info("watchlist entry={} removed by={}", id, actor.username());
        listsChanged.run();
    }

    /** Entries neither removed nor expired. */
    public List<WatchEntry> activeWatches() {
        String sql = "SELECT w.id, w.reason, w.district, w.created_at, w.expires_at, u.username, v.id, v.plate, v.tag, "
                + "v.kind, v.brand, v.color, o.id, o.name, o.phone FROM watchlist w JOIN vehicles v ON v.id = w.vehicle_id "
                + "JOIN owners o ON o.id = v.owner_id JOIN users u ON u.id = w.created_by "
                + "WHERE w.removed_at IS NULL AND w.expires_at > now() ORDER BY w.id";
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<WatchEntry> out = new ArrayList<>();
            while (rs.next()) {
                Vehicle v = new Vehicle(rs.getLong(7), rs.getString(8), rs.getLong(9), rs.getString(10), rs.getString(11),
                        rs.getString(12), rs.getLong(13), rs.getString(14), rs.getString(15), false);
                out.add(new WatchEntry(rs.getLong(1), v, rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                        rs.getTimestamp(5).toInstant(), rs.getString(6)));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load the watchlist", e);
        }
    }

    /** Every registered tag and its vehicle kind, for the "unregistered tag" and cloned-tag checks. */
    /**
     * Every registered plate, normalised as the unique index compares them ({@link #plateKey}), for
     * checking an import file before it is written.
     */
    public java.util.Set<String> registeredPlates() {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.setFetchSize(50_000);
            c.setAutoCommit(false);
            try (ResultSet rs = st.executeQuery("SELECT upper(plate) FROM vehicles")) {
                java.util.Set<String> plates = new java.util.HashSet<>();
                while (rs.next()) {
                    plates.add(rs.getString(1));
                }
                c.commit();
                return plates;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load registered plates", e);
        }
    }

    /** A plate as the unique index compares it: trimmed, upper case (inner spaces and hyphens kept). */
    public static String plateKey(String plate) {
        return plate.strip().toUpperCase(java.util.Locale.ROOT);
    }

    public RegisteredTags registeredTags() {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.setFetchSize(50_000);
            c.setAutoCommit(false); // a cursor, not the whole result in memory twice
            try (ResultSet rs = st.executeQuery("SELECT tag, kind FROM vehicles")) {
                long[] tags = new long[1024];
                byte[] kinds = new byte[1024];
                int n = 0;
                while (rs.next()) {
                    if (n == tags.length) {
                        tags = java.util.Arrays.copyOf(tags, n * 2);
                        kinds = java.util.Arrays.copyOf(kinds, n * 2);
                    }
                    tags[n] = rs.getLong(1);
                    kinds[n] = "motorcycle".equals(rs.getString(2)) ? RegisteredTags.MOTORCYCLE : RegisteredTags.EBIKE;
                    n++;
                }
                c.commit();
                return new RegisteredTags(java.util.Arrays.copyOf(tags, n), java.util.Arrays.copyOf(kinds, n));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load registered tags", e);
        }
    }

    /** Every open theft report with its vehicle, for the stolen hot list. */
    public List<OpenTheft> openThefts() {
        String sql = "SELECT t.id, t.reported_at, v.id, v.plate, v.tag, v.kind, v.brand, v.color, "
                + "o.id, o.name, o.phone FROM theft_reports t JOIN vehicles v ON v.id = t.vehicle_id "
                + "JOIN owners o ON o.id = v.owner_id WHERE t.status = 'open'";
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<OpenTheft> out = new ArrayList<>();
            while (rs.next()) {
                Vehicle v = new Vehicle(rs.getLong(3), rs.getString(4), rs.getLong(5), rs.getString(6),
                        rs.getString(7), rs.getString(8), rs.getLong(9), rs.getString(10), rs.getString(11), true);
                out.add(new OpenTheft(rs.getLong(1), rs.getTimestamp(2).toInstant(), v));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load open thefts", e);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Tells every node sharing the database that a list changed (delivered when this commits). */
    private static void notifyListsChanged(Connection c, String list) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('tagwatch_lists', ?)")) {
            ps.setString(1, list);
            ps.execute();
        }
    }

    private int update(String sql, String... params) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("update failed sql=" + sql, e);
        }
    }

    private String queryString(String sql, String... params) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("query failed sql=" + sql, e);
        }
    }

    private static void requireId(String field, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw RegistryException.invalid(field, "must be 1 to 64 of A-Z a-z 0-9 _ . -");
        }
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw RegistryException.invalid(field, "is required");
        }
        if (value.length() > 200) {
            throw RegistryException.invalid(field, "is longer than 200 characters");
        }
    }
}
