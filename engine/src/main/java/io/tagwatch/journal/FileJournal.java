package io.tagwatch.journal;

import io.tagwatch.read.ReadBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Append-only segment files under {@code <data-dir>/journal}, one record per batch framed by
 * length and CRC32C ({@link JournalDescriptor}). One thread at a time takes every pending append,
 * writes them and hands them to the {@link JournalSink} in order ({@link #writePending}): the
 * journal's own writer thread ({@link #open}), or the thread that drives it ({@link #openDriven}:
 * the match thread, which then matches what it has just written without a hand-off in between
 * — one thread fewer between a read's arrival and its alert). Under {@link FsyncPolicy#GROUP}
 * a second thread, the syncer, forces to disk everything written so far (group commit) and only
 * then runs the acknowledgements. The two overlap: while one group is being forced the writer
 * already writes (and hands on for matching) the next, so no batch waits for an earlier group's
 * fsync before it is matched — an alert never waits for the disk.
 *
 * <p>At open, the records after the checkpoint are replayed into the sink; a torn or corrupt
 * record (short header, impossible length, CRC mismatch) is logged with its position and the
 * segment is cut off there. Appends are refused (return false) while the bytes after the
 * checkpoint exceed the cap; {@link #checkpointed} frees them and deletes old segments.
 *
 * <p>A batch whose content equals one of the reader's recent batches (a QoS 1 redelivery,
 * also after a reconnect) is acknowledged without being journaled again.
 *
 * <p>{@link #append} is thread-safe and lock-free; {@link #writePending} is thread-safe (one
 * caller at a time writes).
 */
public final class FileJournal implements Journal {
    private static final Logger log = LoggerFactory.getLogger(FileJournal.class);
    private static final String SUFFIX = ".seg";
    private static final int RECENT_PER_READER = 256;
    /**
     * Group commit forces at most once per this interval: under a steady stream of batches an
     * fsync per group meant 4,000–8,000 fsyncs a second at 80,000 batches/s, each followed by an
     * acknowledgement task and a socket write on every reader's event loop (JFR, scheduler
     * statistics). Acknowledgements come up to this much later; alerts do not wait for the disk.
     */
    static final long GROUP_COMMIT_SPACING_NANOS = 1_000_000;
    /** True while the syncer waits for a group to force (the writer wakes it only then). */
    private volatile boolean syncerIdle;

    private record Pending(ReadBatch batch, Runnable onDurable) {
    }

    /** A written group waiting for the syncer: durable once the journal is forced up to {@code end}. */
    private record Written(long end, List<Runnable> acks) {
    }

    private final Path dir;
    private final long segmentBytes;
    private final long capBytes;
    private volatile java.util.function.BooleanSupplier backPressure = () -> false;
    private final int retainSegments;
    private final FsyncPolicy policy;
    private final JournalSink sink;
    private final ConcurrentSkipListMap<Long, Path> segments = new ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final RecentBatches recent = new RecentBatches(RECENT_PER_READER);
    private final AtomicLong appendPosition = new AtomicLong();
    /** Reads of the appends not yet written (taken by {@link #writePending}). */
    private final AtomicLong pendingReads = new AtomicLong();
    private final AtomicLong durablePosition = new AtomicLong();
    private final AtomicLong checkpoint = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicBoolean fullLogged = new AtomicBoolean();
    /** The journal's own writer thread; null when driven ({@link #openDriven}). */
    private final Thread writer;
    /** Driven: called after each append, to have the driver call {@link #writePending}. */
    private final Runnable wake;
    /** Held while a group is taken and written: the writer (or driver), and close. */
    private final java.util.concurrent.locks.ReentrantLock writing = new java.util.concurrent.locks.ReentrantLock();
    private final List<Pending> group = new ArrayList<>();
    private final List<long[]> positions = new ArrayList<>();
    private final Thread syncer;
    private final ConcurrentLinkedQueue<Written> unsynced = new ConcurrentLinkedQueue<>();
    private volatile boolean syncing = true;
    /** The segment being written; the syncer forces it (segments before it were forced when they rolled). */
    private volatile FileChannel current;
    private long currentBase;
    private long currentSize;
    private ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    private volatile boolean running = true;
    private volatile boolean failed;

    private FileJournal(Path dir, JournalOptions o, long checkpointPosition, JournalSink sink, Runnable wake) {
        this.dir = dir;
        this.segmentBytes = o.segmentBytes();
        this.capBytes = o.capBytes();
        this.retainSegments = o.retainSegments();
        this.policy = o.fsync();
        this.sink = sink;
        this.checkpoint.set(checkpointPosition);
        this.wake = wake;
        this.writer = wake != null ? null : new Thread(this::run, "journal-writer");
        if (writer != null) {
            writer.setDaemon(true);
        }
        this.syncer = new Thread(this::syncLoop, "journal-syncer");
        this.syncer.setDaemon(true);
    }

    /**
     * Opens the journal in {@code dir}, replays every record at or after {@code checkpoint}
     * into {@code sink} (on the caller's thread), then starts taking appends.
     */
    public static FileJournal open(Path dir, JournalOptions options, long checkpoint, JournalSink sink) {
        return start(new FileJournal(dir, options, checkpoint, sink, null));
    }

    /**
     * As {@link #open}, but with no writer thread of its own: each append runs {@code wake}, and
     * the driver's thread writes what is pending with {@link #writePending} (so the sink hears of
     * each batch on the driver's thread). The driver must not wait on the disk: only
     * {@link FsyncPolicy#GROUP} (forced by the syncer) and {@link FsyncPolicy#NONE} can be driven.
     */
    public static FileJournal openDriven(Path dir, JournalOptions options, long checkpoint, JournalSink sink, Runnable wake) {
        if (options.fsync() == FsyncPolicy.EVERY_BATCH) {
            throw new IllegalArgumentException("a journal forcing every batch needs its own writer thread");
        }
        return start(new FileJournal(dir, options, checkpoint, sink, java.util.Objects.requireNonNull(wake)));
    }

    private static FileJournal start(FileJournal j) {
        try {
            Files.createDirectories(j.dir);
            j.recover();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open journal dir=" + j.dir, e);
        }
        if (j.writer != null) {
            j.writer.start();
        }
        if (j.policy == FsyncPolicy.GROUP) {
            j.syncer.start(); // the other policies force (or not) on the thread that writes
        }
        return j;
    }

    // ------------------------------------------------------------------ recovery

    private void recover() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).forEach(p -> {
                String name = p.getFileName().toString();
                segments.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), p);
            });
        }
        long cp = checkpoint.get();
        long end = cp;
        long replayed = 0;
        long reads = 0;
        for (Map.Entry<Long, Path> e : segments.entrySet()) {
            // Records before the checkpoint are in the database already; they are read only so
            // that a redelivery of one of them after this restart is still recognised.
            long[] counts = replaySegment(e.getValue(), e.getKey(), cp);
            replayed += counts[0];
            reads += counts[1];
            end = Math.max(end, e.getKey() + Files.size(e.getValue()));
        }
        log.info("journal dir={} checkpoint={} replayed batches={} reads={} end={}", dir, cp, replayed, reads, end);
        if (!segments.isEmpty() && segments.firstKey() > cp) {
            // Only deleted once the database had them: a database older than the journal (restored
            // from a backup) or a journal of another node's data directory.
            log.error("the journal starts at position {}, after the database's checkpoint {}: the {} bytes of acknowledged "
                    + "reads in between are in neither (was the database restored from an older backup?); going on with "
                    + "what is left", segments.firstKey(), cp, segments.firstKey() - cp);
        }
        Map.Entry<Long, Path> last = segments.lastEntry();
        if (last != null && last.getKey() + Files.size(last.getValue()) == end && Files.size(last.getValue()) < segmentBytes) {
            openSegment(last.getKey(), last.getValue());
        } else {
            openSegment(end, null);
        }
        appendPosition.set(end);
        durablePosition.set(end);
    }

    /**
     * Reads one segment, remembering every batch's digest and replaying those at or after the
     * checkpoint; cuts the segment at the first bad record. Returns {batches replayed, reads}.
     */
    private long[] replaySegment(Path file, long base, long checkpoint) throws IOException {
        long batches = 0;
        long reads = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long off = 0;
            ByteBuffer header = ByteBuffer.allocate(JournalDescriptor.HEADER_BYTES);
            while (off < size) {
                String bad = null;
                header.clear();
                if (size - off < JournalDescriptor.HEADER_BYTES) {
                    bad = "torn header (" + (size - off) + " bytes)";
                } else {
                    readFully(ch, header, off);
                    int length = header.getInt(JournalDescriptor.LENGTH_OFFSET);
                    int crc = header.getInt(JournalDescriptor.CRC_OFFSET);
                    if (length <= 0 || length > JournalDescriptor.MAX_BODY_BYTES) {
                        bad = "impossible length " + length;
                    } else if (off + JournalDescriptor.HEADER_BYTES + length > size) {
                        bad = "torn body (" + (size - off - JournalDescriptor.HEADER_BYTES) + " of " + length + " bytes)";
                    } else {
                        ByteBuffer body = ByteBuffer.allocate(length);
                        readFully(ch, body, off + JournalDescriptor.HEADER_BYTES);
                        body.flip();
                        if (JournalDescriptor.crc(body) != crc) {
                            bad = "CRC mismatch";
                        } else {
                            long digest = digestOf(body);
                            ReadBatch b;
                            try {
                                b = JournalDescriptor.read(body);
                            } catch (RuntimeException ex) {
                                b = null;
                                bad = "undecodable body: " + ex.getMessage();
                            }
                            if (b != null) {
                                long start = base + off;
                                long next = start + JournalDescriptor.HEADER_BYTES + length;
                                recent.seen(b.readerId(), digest);
                                if (start >= checkpoint) {
                                    sink.journaled(b, start, next);
                                    batches++;
                                    reads += b.size();
                                }
                                off += JournalDescriptor.HEADER_BYTES + length;
                                continue;
                            }
                        }
                    }
                }
                log.warn("journal record at position={} (segment {} offset {}) is bad: {}; cutting the segment there "
                        + "({} bytes dropped; they were never acknowledged)", base + off, file.getFileName(), off, bad, size - off);
                ch.truncate(off);
                ch.force(true);
                break;
            }
        }
        return new long[] {batches, reads};
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            if (ch.read(dst, position + dst.position()) < 0) {
                throw new IOException("unexpected end of file at " + (position + dst.position()));
            }
        }
    }

    // ------------------------------------------------------------------ appends

    @Override
    public boolean append(ReadBatch batch, Runnable onDurable) {
        if (failed) {
            return false;
        }
        if (appendPosition.get() - checkpoint.get() >= capBytes) {
            if (fullLogged.compareAndSet(false, true)) {
                log.warn("journal full: {} bytes since the checkpoint reach the cap of {}; not acknowledging reads "
                        + "until the sighting writer catches up", appendPosition.get() - checkpoint.get(), capBytes);
            }
            return false;
        }
        if (backPressure.getAsBoolean()) {
            if (fullLogged.compareAndSet(false, true)) {
                log.warn("backlog in the heap at its cap (reads waiting to be matched, or sightings to be written; {} "
                        + "journal bytes after the checkpoint): not acknowledging reads until it shrinks",
                        appendPosition.get() - checkpoint.get());
            }
            return false;
        }
        pendingReads.addAndGet(batch.size());
        queue.offer(new Pending(batch, onDurable));
        if (wake != null) {
            wake.run();
        } else {
            LockSupport.unpark(writer);
        }
        return true;
    }

    private void run() {
        while (running || !queue.isEmpty()) {
            if (!writePending()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    /**
     * Writes the appends pending now (up to 4,096 batches, in the order they were appended),
     * hands them to the sink on this thread and to the syncer (or acknowledges them, without
     * fsync). Thread-safe: one caller writes at a time, the others wait for it.
     *
     * @return false when nothing was pending
     */
    public boolean writePending() {
        if (queue.isEmpty()) {
            return false;
        }
        writing.lock();
        try {
            Pending p;
            long reads = 0;
            while ((p = queue.poll()) != null) {
                group.add(p);
                reads += p.batch().size();
                if (group.size() >= 4096) {
                    break;
                }
            }
            if (group.isEmpty()) {
                return false;
            }
            pendingReads.addAndGet(-reads);
            if (failed) {
                // queued before a failed write: never written after it, never acknowledged
                return true;
            }
            try {
                writeGroup(group, positions);
            } catch (IOException | RuntimeException e) {
                // Nothing of this group is acknowledged, so readers keep and resend it. The file may
                // now end in a partial record: take no more appends (a restart cuts the tail and
                // replays what is whole) rather than write after it.
                failed = true;
                log.error("journal write failed at position={}: {} batches not acknowledged, and no read will be "
                        + "until the engine is restarted (check the disk)", appendPosition.get(), group.size(), e);
            }
            return true;
        } finally {
            group.clear();
            positions.clear();
            writing.unlock();
        }
    }

    private void writeGroup(List<Pending> group, List<long[]> positions) throws IOException {
        List<Runnable> acks = new ArrayList<>(group.size());
        buf.clear();
        long pos = appendPosition.get();
        List<ReadBatch> taken = new ArrayList<>(group.size());
        for (Pending p : group) {
            ReadBatch b = p.batch();
            int size = JournalDescriptor.recordBytes(b);
            if (currentSize + (buf.position()) > 0 && currentSize + buf.position() + size > segmentBytes) {
                flush();
                roll(pos);
            }
            if (buf.remaining() < size) {
                flush();
                if (buf.capacity() < size) {
                    buf = ByteBuffer.allocate(Integer.highestOneBit(size) << 1);
                }
            }
            int at = buf.position();
            JournalDescriptor.write(buf, b);
            long digest = digestOf(buf.array(), at + JournalDescriptor.HEADER_BYTES, buf.position());
            // Remembered at once (so a resend within this group is caught too): should the write
            // fail, nothing is written or acknowledged any more, so no batch is taken for a
            // redelivery of one that was lost.
            if (!recent.seen(b.readerId(), digest)) {
                buf.position(at); // a redelivery: acknowledged with this group, journaled once
                duplicates.incrementAndGet();
                acks.add(p.onDurable());
                continue;
            }
            positions.add(new long[] {pos, pos + size});
            taken.add(b);
            pos += size;
            acks.add(p.onDurable());
            if (policy == FsyncPolicy.EVERY_BATCH) {
                flush();
                current.force(false);
                fsyncs.incrementAndGet();
            }
        }
        flush();
        appendPosition.set(pos);
        long written = System.nanoTime();
        for (int i = 0; i < taken.size(); i++) {
            long[] se = positions.get(i);
            taken.get(i).journaledAt(written);
            sink.journaled(taken.get(i), se[0], se[1]); // before the fsync: alerts never wait for the disk
        }
        if (policy == FsyncPolicy.GROUP) {
            unsynced.add(new Written(pos, acks));
            if (syncerIdle) {
                LockSupport.unpark(syncer); // not while it waits out the spacing: that wake-up would be wasted
            }
            return;
        }
        durablePosition.set(pos);
        for (Runnable ack : acks) {
            ack.run();
        }
    }

    /**
     * The syncer: forces what the writer has written, then acknowledges every group written up to
     * there. Groups written while a force runs wait for the next one (group commit); the writer
     * never waits for a force, except at a segment roll, which forces the finished segment itself.
     * Forces are at least {@link #GROUP_COMMIT_SPACING_NANOS} apart.
     */
    private void syncLoop() {
        List<Written> batch = new ArrayList<>();
        long lastForce = 0;
        while (syncing || !unsynced.isEmpty()) {
            long wait;
            while (syncing && (wait = lastForce + GROUP_COMMIT_SPACING_NANOS - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            Written w;
            while ((w = unsynced.poll()) != null) {
                batch.add(w);
            }
            if (batch.isEmpty()) {
                syncerIdle = true;
                if (unsynced.isEmpty()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                syncerIdle = false;
                continue;
            }
            if (!failed) {
                try {
                    lastForce = System.nanoTime();
                    forceCurrent();
                    durablePosition.set(batch.get(batch.size() - 1).end());
                    for (Written done : batch) {
                        for (Runnable ack : done.acks()) {
                            ack.run();
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    failed = true;
                    log.error("journal fsync failed at position={}: {} groups not acknowledged, and no read will be "
                            + "until the engine is restarted (check the disk)", batch.get(batch.size() - 1).end(), batch.size(), e);
                }
            }
            batch.clear();
        }
    }

    /**
     * Forces the segment being written. Every group handed to the syncer was written before it
     * read {@code current}, into that segment or an earlier one; an earlier one was forced by the
     * roll that closed it, so a channel closed under this force is already on disk.
     */
    private void forceCurrent() throws IOException {
        FileChannel ch = current;
        try {
            ch.force(false);
            fsyncs.incrementAndGet();
        } catch (java.nio.channels.ClosedChannelException rolled) {
            // closed by a roll, which forced it first
        }
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            currentSize += current.write(buf);
        }
        buf.clear();
    }

    private void roll(long base) throws IOException {
        current.force(false);
        current.close();
        openSegment(base, null);
    }

    private void openSegment(long base, Path existing) throws IOException {
        Path file = existing != null ? existing : dir.resolve(String.format("%020d%s", base, SUFFIX));
        current = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        currentBase = base;
        currentSize = current.size();
        current.position(currentSize);
        segments.put(base, file);
        if (existing == null) {
            forceDirectory();
        }
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            log.debug("cannot fsync journal directory: {}", e.toString());
        }
    }

    /** 64-bit identity of a batch's content: reader id and reads, not its receive time. */
    static long digestOf(ByteBuffer body) {
        return digestOf(body.array(), body.arrayOffset() + body.position(), body.arrayOffset() + body.limit());
    }

    private static final java.lang.invoke.VarHandle LONG_BE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    /** {@link #digestOf(ByteBuffer)} of the body in {@code a[from, to)}, read in place (the writer's path). */
    static long digestOf(byte[] a, int from, int to) {
        int start = from + 9; // skip type and receive time
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(a, start, to - start);
        long crc = c.getValue() & 0xFFFFFFFFL;
        long h = 0xcbf29ce484222325L;
        int i = start;
        for (; to - i >= 8; i += 8) {
            h = (h ^ (long) LONG_BE.get(a, i)) * 0x100000001b3L;
            h ^= h >>> 29;
        }
        for (; i < to; i++) {
            h = (h ^ a[i]) * 0x100000001b3L;
        }
        return h ^ (crc << 32);
    }

    // ------------------------------------------------------------------ checkpoints

    @Override
    public void checkpointed(long position) {
        checkpoint.accumulateAndGet(position, Math::max);
        long cp = checkpoint.get();
        if (!full() && fullLogged.compareAndSet(true, false)) {
            log.info("journal has room again ({} bytes after the checkpoint, cap {}); acknowledging reads", lagBytes(), capBytes);
        }
        // Delete segments that end at or before the checkpoint, keeping the newest few of them.
        List<Long> deletable = new ArrayList<>();
        for (Map.Entry<Long, Path> e : segments.entrySet()) {
            Long next = segments.higherKey(e.getKey());
            if (next != null && next <= cp && e.getKey() != currentBase) {
                deletable.add(e.getKey());
            }
        }
        for (int i = 0; i < deletable.size() - retainSegments; i++) {
            Path p = segments.remove(deletable.get(i));
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                log.warn("cannot delete journal segment {}: {}", p, e.toString());
            }
        }
    }

    @Override
    public long durablePosition() {
        return durablePosition.get();
    }

    @Override
    public boolean durable() {
        return policy != FsyncPolicy.NONE;
    }

    /** Reads appended and not yet written: in the heap, waiting for the writer (or the driver). */
    public long pendingReads() {
        return pendingReads.get();
    }

    public long appendPosition() {
        return appendPosition.get();
    }

    /** Bytes journaled after the checkpoint (what a restart would replay). */
    public long lagBytes() {
        return appendPosition.get() - checkpoint.get();
    }

    /** True at the cap, and after a write failure (until restart): either way no read is acknowledged. */
    @Override
    public boolean full() {
        return failed || appendPosition.get() - checkpoint.get() >= capBytes || backPressure.getAsBoolean();
    }

    /**
     * A second bound besides the byte cap: while {@code pressure} says true the journal counts as
     * full (the engine passes "the sighting writer's backlog in the heap is at its cap", so a
     * database slower than the readers holds reads back at the readers instead of filling the heap).
     */
    public void backPressure(java.util.function.BooleanSupplier pressure) {
        this.backPressure = pressure;
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long fsyncs() {
        return fsyncs.get();
    }

    public int segmentCount() {
        return segments.size();
    }

    @Override
    public void close() {
        running = false;
        try {
            if (writer != null) {
                LockSupport.unpark(writer);
                writer.join(10_000);
            } else {
                while (writePending()) {
                    // what was appended before close, written here if the driver has not yet
                }
            }
            syncing = false;
            LockSupport.unpark(syncer);
            syncer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (current != null && current.isOpen()) {
                current.force(false);
                current.close();
            }
        } catch (IOException e) {
            log.warn("journal close: {}", e.toString());
        }
    }
}
