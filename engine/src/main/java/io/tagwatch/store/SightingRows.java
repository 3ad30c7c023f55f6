package io.tagwatch.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Closed sightings held in columns: primitive arrays in blocks of {@value #BLOCK} rows, no object
 * per sighting. Between the match thread and the database there can be millions of sightings
 * (a checkpoint's worth, and the writer's backlog while the database is slow or away); as one
 * {@link Sighting} object each they were what the collector copied at every young collection
 * (pauses of 40–180 ms under the batch load, -Xlog:gc), in columns they are a few arrays per
 * 8,192 rows that it copies or skips in one piece. Blocks stay under G1's humongous size.
 *
 * <p>Blocks are used again: once the rows are in the database, {@link #release} gives their blocks to
 * a pool that new rows take from (up to {@value #POOL_BLOCKS} blocks, ~36 MB, kept). Under load a
 * checkpoint's rows live a few seconds, across young collections, and each collection copied the
 * blocks still waiting for the database (~22 MB a collection at 1.2 M reads/s, session 9); pooled,
 * they stay in the old generation and are not copied.
 *
 * <p>Not thread-safe: filled by one thread, then handed over (with a happens-before edge, such as a
 * concurrent queue) to another that only reads.
 */
public final class SightingRows {
    static final int BLOCK = 8192;
    private static final int SHIFT = 13;
    private static final int MASK = BLOCK - 1;

    private static final class Block {
        final long[] tag = new long[BLOCK];
        final long[] firstSeen = new long[BLOCK];
        final long[] lastSeen = new long[BLOCK];
        final int[] readCount = new int[BLOCK];
        final int[] bestRssi = new int[BLOCK];
        /** Each row's reader as a number, its id given by the rows' {@link #readerIds}. */
        final int[] reader = new int[BLOCK];
    }

    static final int POOL_BLOCKS = 128;
    /** Blocks of rows already written, for new rows (a concurrent queue: released by the writer, taken by the match thread). */
    private static final java.util.concurrent.ArrayBlockingQueue<Block> POOL = new java.util.concurrent.ArrayBlockingQueue<>(POOL_BLOCKS);

    private final List<Block> blocks = new ArrayList<>();
    private final IntFunction<String> readerIds;
    private int size;

    /**
     * Rows whose readers are numbers that {@code readerIds} turns into reader ids. A row keeps an
     * {@code int}, not a reference: blocks live in the old generation (pooled), and a reference
     * stored into one dirties a card the collector scans at the next young collection (~6,800
     * cards between two collections at 2.7 M reads/s, 0.9 ms of a 3.0 ms pause, session 14). The
     * engine's numbers are the reader directory's indexes, which the match thread already has.
     */
    public SightingRows(IntFunction<String> readerIds) {
        this.readerIds = readerIds;
    }

    /** The rows of {@code sightings}, in order, their readers numbered among themselves. */
    public static SightingRows of(Collection<Sighting> sightings) {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> numbers = new HashMap<>();
        SightingRows rows = new SightingRows(ids::get);
        for (Sighting s : sightings) {
            int reader = numbers.computeIfAbsent(s.readerId(), id -> {
                ids.add(id);
                return ids.size() - 1;
            });
            rows.add(s.tag(), reader, s.firstSeen(), s.lastSeen(), s.readCount(), s.bestRssi());
        }
        return rows;
    }

    /**
     * Appends one sighting: {@code reader} a number this object's {@code readerIds} knows;
     * {@code bestRssi} is {@code Integer.MIN_VALUE} when the reader sent none.
     */
    public void add(long tag, int reader, long firstSeen, long lastSeen, int readCount, int bestRssi) {
        int at = size & MASK;
        if (at == 0 && (size >>> SHIFT) == blocks.size()) {
            Block reused = POOL.poll();
            blocks.add(reused != null ? reused : new Block());
        }
        Block b = blocks.get(size >>> SHIFT);
        b.tag[at] = tag;
        b.reader[at] = reader;
        b.firstSeen[at] = firstSeen;
        b.lastSeen[at] = lastSeen;
        b.readCount[at] = readCount;
        b.bestRssi[at] = bestRssi;
        size++;
    }

    /** Appends every row of {@code other}, in order: rows whose readers are numbered alike (the same {@code readerIds}). */
    public void addAll(SightingRows other) {
        if (other.readerIds != readerIds) {
            throw new IllegalArgumentException("rows whose readers are numbered by another table");
        }
        for (int i = 0; i < other.size; i++) {
            Block b = other.blocks.get(i >>> SHIFT);
            int at = i & MASK;
            add(b.tag[at], b.reader[at], b.firstSeen[at], b.lastSeen[at], b.readCount[at], b.bestRssi[at]);
        }
    }

    /**
     * Empties this object and gives its blocks to new rows: call it once nothing will read these rows
     * again (the writer, after their transaction committed; the match thread, after copying them on).
     * Reading it afterwards finds no rows, never another's.
     */
    public void release() {
        for (Block b : blocks) {
            if (!POOL.offer(b)) {
                break;
            }
        }
        blocks.clear();
        size = 0;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public long tag(int i) {
        return block(i).tag[i & MASK];
    }

    public String readerId(int i) {
        return readerIds.apply(reader(i));
    }

    /** Row {@code i}'s reader as a number of this object's numbering ({@link #readerIds()}). */
    public int reader(int i) {
        return block(i).reader[i & MASK];
    }

    /**
     * The numbering of these rows' readers: number to reader id. Rows that return the same
     * function (the same object) number their readers alike, so a number can stand for the id.
     */
    public IntFunction<String> readerIds() {
        return readerIds;
    }

    /** Epoch ms on the reader's clock. */
    public long firstSeen(int i) {
        return block(i).firstSeen[i & MASK];
    }

    public long lastSeen(int i) {
        return block(i).lastSeen[i & MASK];
    }

    public int readCount(int i) {
        return block(i).readCount[i & MASK];
    }

    /** {@code Integer.MIN_VALUE} when the reader sent none. */
    public int bestRssi(int i) {
        return block(i).bestRssi[i & MASK];
    }

    /** Row {@code i} as one object (for tests and diagnostics; the write path reads the columns). */
    public Sighting get(int i) {
        return new Sighting(tag(i), readerId(i), firstSeen(i), lastSeen(i), readCount(i), bestRssi(i));
    }

    private Block block(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("row " + i + " of " + size);
        }
        return blocks.get(i >>> SHIFT);
    }
}
