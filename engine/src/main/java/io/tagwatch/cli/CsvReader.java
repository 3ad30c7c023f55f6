package io.tagwatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV records from a reader: fields separated by commas, optionally in double quotes
 * (a quoted field may hold commas, doubled quotes and line breaks). Each record knows the line
 * it started on, so errors can name it. A byte-order mark before the first field is skipped.
 *
 * <p>Not thread-safe.
 */
final class CsvReader {
    /** One record and the 1-based line it starts on. */
    record Row(int line, List<String> fields) {
    }

    private final BufferedReader in;
    private int line;
    private long charsRead;

    CsvReader(BufferedReader in) {
        this.in = in;
    }

    /** Characters consumed so far (for progress). */
    long charsRead() {
        return charsRead;
    }

    /** The next record, or null at the end; a quote left open at the end is an {@link IllegalArgumentException}. */
    Row next() throws IOException {
        String text = in.readLine();
        if (text == null) {
            return null;
        }
        line++;
        charsRead += text.length() + 1;
        if (line == 1 && text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        int start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int i = 0;
        while (true) {
            if (i == text.length()) {
                if (!quoted) {
                    fields.add(field.toString());
                    return new Row(start, fields);
                }
                String more = in.readLine();
                if (more == null) {
                    throw new IllegalArgumentException("line " + start + ": a quoted field is not closed");
                }
                line++;
                charsRead += more.length() + 1;
                field.append('\n');
                text = more;
                i = 0;
                continue;
            }
            char ch = text.charAt(i++);
            if (quoted) {
                if (ch == '"' && i < text.length() && text.charAt(i) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else if (ch == '"' && field.length() == 0) {
                quoted = true;
            } else {
                field.append(ch);
            }
        }
    }
}
