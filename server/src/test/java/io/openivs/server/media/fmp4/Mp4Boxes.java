package io.openivs.server.media.fmp4;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test-side ISO BMFF reader: splits bytes into boxes and checks that the sizes tile them exactly. */
record Mp4Boxes(ByteBuffer file, String type, int start, int size, int headerSize) {

    /** The top-level boxes of {@code bytes}. */
    static List<Mp4Boxes> parse(byte[] bytes) {
        ByteBuffer file = ByteBuffer.wrap(bytes);
        return children(file, 0, bytes.length);
    }

    private static List<Mp4Boxes> children(ByteBuffer file, int from, int to) {
        List<Mp4Boxes> boxes = new ArrayList<>();
        int at = from;
        while (at < to) {
            assertThat(to - at).as("room for a box header at %d", at).isGreaterThanOrEqualTo(8);
            int size = file.getInt(at);
            String type = new String(
                    new byte[] {file.get(at + 4), file.get(at + 5), file.get(at + 6), file.get(at + 7)},
                    StandardCharsets.US_ASCII);
            assertThat(size).as("size of %s at %d", type, at).isBetween(8, to - at);
            boxes.add(new Mp4Boxes(file, type, at, size, 8));
            at += size;
        }
        assertThat(at).as("boxes end where their parent does").isEqualTo(to);
        return boxes;
    }

    /** Child boxes of a container, parsed (and size-checked) on demand. */
    List<Mp4Boxes> children() {
        int skip = switch (type) {
            case "stsd" -> 8; // version, flags, entry_count
            case "avc1" -> 78;
            case "mp4a" -> 28;
            default -> 0;
        };
        return children(file, start + headerSize + skip, start + size);
    }

    /** The one descendant of the given path, e.g. {@code child("trak", "mdia", "mdhd")}. */
    Mp4Boxes child(String... path) {
        Mp4Boxes box = this;
        for (String type : path) {
            List<Mp4Boxes> found =
                    box.children().stream().filter(b -> b.type.equals(type)).toList();
            assertThat(found).as("%s in %s", type, box.type).hasSize(1);
            box = found.get(0);
        }
        return box;
    }

    List<Mp4Boxes> all(String type) {
        return children().stream().filter(b -> b.type.equals(type)).toList();
    }

    /** Offset of the body (after the header) in the file. */
    int body() {
        return start + headerSize;
    }

    int u8(int offset) {
        return file.get(body() + offset) & 0xFF;
    }

    int i32(int offset) {
        return file.getInt(body() + offset);
    }

    long u32(int offset) {
        return file.getInt(body() + offset) & 0xFFFF_FFFFL;
    }

    long i64(int offset) {
        return file.getLong(body() + offset);
    }
}
