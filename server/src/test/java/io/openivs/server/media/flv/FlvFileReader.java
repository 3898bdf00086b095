package io.openivs.server.media.flv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test-side reader of FLV files (the tags an RTMP publisher would send), per the FLV file format spec. */
public final class FlvFileReader {

    /** One tag: its type (8 audio, 9 video, 18 script), 32-bit millisecond timestamp and body. */
    public record Tag(int type, long timestamp, byte[] body) {
        public Tag withTimestamp(long ts) {
            return new Tag(type, ts, body);
        }
    }

    private FlvFileReader() {}

    public static List<Tag> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        if (in.get() != 'F' || in.get() != 'L' || in.get() != 'V') {
            throw new IOException("not an FLV file");
        }
        in.get(); // version
        in.get(); // flags
        int headerSize = in.getInt();
        in.position(headerSize + 4); // skip PreviousTagSize0
        List<Tag> tags = new ArrayList<>();
        while (in.remaining() >= 11) {
            int type = in.get() & 0x1F;
            int size = medium(in);
            long timestamp = medium(in) | ((in.get() & 0xFFL) << 24);
            medium(in); // stream id
            byte[] body = new byte[size];
            in.get(body);
            in.getInt(); // PreviousTagSize
            tags.add(new Tag(type, timestamp, body));
        }
        return tags;
    }

    /** The first video keyframe tag at or after {@code ms}. */
    public static Tag keyframeAtOrAfter(List<Tag> tags, long ms) {
        return tags.stream()
                .filter(t -> t.type() == 9 && t.timestamp() >= ms && (t.body()[0] & 0xF0) == 0x10)
                .findFirst()
                .orElseThrow();
    }

    /**
     * What an encoder that restarts sends: its sequence headers again, then the tags from
     * {@code resume} on, with its clock back at zero.
     */
    public static List<Tag> restartAt(List<Tag> tags, Tag resume) {
        List<Tag> restarted = new ArrayList<>();
        tags.stream().filter(FlvFileReader::isSequenceHeader).forEach(h -> restarted.add(h.withTimestamp(0)));
        tags.stream()
                .filter(t -> t.timestamp() >= resume.timestamp())
                .forEach(t -> restarted.add(t.withTimestamp(t.timestamp() - resume.timestamp())));
        return restarted;
    }

    private static boolean isSequenceHeader(Tag t) {
        return (t.type() == 8 || t.type() == 9) && t.body().length > 1 && t.body()[1] == 0;
    }

    private static int medium(ByteBuffer in) {
        return ((in.get() & 0xFF) << 16) | ((in.get() & 0xFF) << 8) | (in.get() & 0xFF);
    }
}
