package io.tagwatch.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar on a terminal stream: {@code  writing  [########------------]  41%  90,112 / 220,000 rows},
 * redrawn in place at most every 200 ms, and finished with a newline.
 *
 * <p>Not thread-safe: one caller at a time.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter out;
    private String phase = "";
    private String unit = "";
    private long total = 1;
    private long lastDraw;

    ProgressBar(PrintWriter out) {
        this.out = out;
    }

    /** Starts a phase of {@code total} units ({@code unit}: "bytes", "rows"), shown after the counts. */
    void phase(String name, long total, String unit) {
        this.phase = name;
        this.unit = unit;
        this.total = Math.max(1, total);
        this.lastDraw = 0;
        draw(0, true);
    }

    /** Reports {@code done} units of the current phase (drawn when due). */
    void update(long done) {
        draw(done, false);
    }

    /** Draws the phase complete and ends the line. */
    void done() {
        draw(total, true);
        out.println();
        out.flush();
    }

    private void draw(long done, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        long d = Math.min(done, total);
        int filled = (int) (WIDTH * d / total);
        out.printf("\r%-9s [%s%s] %3d%%  %,d / %,d %s", phase, "#".repeat(filled), "-".repeat(WIDTH - filled),
                100 * d / total, d, total, unit);
        out.flush();
    }
}
