package dev.mmalign.trainer.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Append-only JSONL output that survives being killed at any instant. Each call appends whole lines in one write
 * and forces them to disk, so a unit of work (e.g. the K completions of one prompt) is recorded at once or not at
 * all. A pod killed in the middle of a write leaves at most a torn last line without its newline: opening the file
 * again cuts that line off, and the work it held is simply redone. Readers key records by id, so a rerun never
 * counts a record twice.
 */
public final class JsonlAppender implements Closeable {

    private final Path file;
    private final FileChannel channel;
    private final long truncatedBytes;

    private JsonlAppender(Path file, FileChannel channel, long truncatedBytes) {
        this.file = file;
        this.channel = channel;
        this.truncatedBytes = truncatedBytes;
    }

    /** Opens (creating if needed) {@code file} for appending, first cutting off a torn last line. */
    public static JsonlAppender open(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long cut = repairTornTail(channel);
            channel.position(channel.size());
            return new JsonlAppender(file, channel, cut);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " for appending", e);
        }
    }

    /** How many bytes of a torn last line were cut off when the file was opened (0 when it ended cleanly). */
    public long truncatedBytes() {
        return truncatedBytes;
    }

    public Path file() {
        return file;
    }

    /** Appends one record as one line. */
    public void append(Object record) {
        appendAll(List.of(record));
    }

    /** Appends the records as consecutive lines in a single write, then forces them to disk. */
    public synchronized void appendAll(List<?> records) {
        StringBuilder text = new StringBuilder();
        for (Object record : records) {
            text.append(Json.line(record)).append('\n');
        }
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }

    /** Cuts the file back to just after its last newline; returns how many bytes were cut. */
    private static long repairTornTail(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0) {
            return 0;
        }
        long end = size;
        ByteBuffer one = ByteBuffer.allocate(1);
        // Scan backwards from the end for the last newline; torn lines are short, so this reads little.
        while (end > 0) {
            one.clear();
            channel.read(one, end - 1);
            if (one.get(0) == '\n') {
                break;
            }
            end--;
        }
        long cut = size - end;
        if (cut > 0) {
            channel.truncate(end);
            channel.force(true);
        }
        return cut;
    }
}
