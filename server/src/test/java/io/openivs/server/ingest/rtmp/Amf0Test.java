package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Amf0Test {

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    private static Object roundTrip(Object value) {
        ByteBuf buf = Unpooled.buffer();
        Amf0.write(buf, value);
        Object read = Amf0.read(buf);
        assertThat(buf.isReadable()).as("bytes left after reading back").isFalse();
        return read;
    }

    @Test
    void readsHandEncodedScalars() {
        assertThat(Amf0.read(hex("00 3FF0000000000000"))).isEqualTo(1.0);
        assertThat(Amf0.read(hex("01 01"))).isEqualTo(true);
        assertThat(Amf0.read(hex("01 00"))).isEqualTo(false);
        assertThat(Amf0.read(hex("02 0003 617070"))).isEqualTo("app");
        assertThat(Amf0.read(hex("0C 00000003 617070"))).isEqualTo("app");
        assertThat(Amf0.read(hex("05"))).isNull();
        assertThat(Amf0.read(hex("06"))).isNull();
    }

    @Test
    void readsObjectInWireOrder() {
        // {z: 1.0, a: "b"}
        Object v = Amf0.read(hex("03 0001 7A 00 3FF0000000000000 0001 61 02 0001 62 0000 09"));
        assertThat(v).isInstanceOf(LinkedHashMap.class);
        assertThat(new ArrayList<Object>(((Map<?, ?>) v).keySet())).containsExactly("z", "a");
        assertThat(v).isEqualTo(Map.of("z", 1.0, "a", "b"));
    }

    @Test
    void readsEcmaArrayIgnoringItsCountAndToleratingAMissingEndAtEndOfMessage() {
        // count says 5 but two properties follow, then the end marker
        Object withEnd = Amf0.read(hex("08 00000005 0005 7769647468 00 4084000000000000 0001 78 01 01 0000 09"));
        assertThat(withEnd).isEqualTo(Map.of("width", 640.0, "x", true));
        Object withoutEnd = Amf0.read(hex("08 00000001 0005 7769647468 00 4084000000000000"));
        assertThat(withoutEnd).isEqualTo(Map.of("width", 640.0));
    }

    @Test
    void roundTripsEveryType() {
        assertThat(roundTrip(42.5)).isEqualTo(42.5);
        assertThat(roundTrip(7)).isEqualTo(7.0);
        assertThat(roundTrip(Boolean.TRUE)).isEqualTo(true);
        assertThat(roundTrip("héllo ✓")).isEqualTo("héllo ✓");
        assertThat(roundTrip(null)).isNull();
        assertThat(roundTrip(Amf0.UNDEFINED)).isNull();
        Instant when = Instant.ofEpochMilli(1_700_000_000_123L);
        assertThat(roundTrip(when)).isEqualTo(when);

        String longString = "x".repeat(70_000);
        ByteBuf buf = Unpooled.buffer();
        Amf0.write(buf, longString);
        assertThat(buf.getByte(0)).as("long string marker").isEqualTo((byte) 0x0C);
        assertThat(Amf0.read(buf)).isEqualTo(longString);

        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("level", "status");
        nested.put("list", Arrays.asList(1.0, "two", null, false, Map.of("k", "v")));
        nested.put("empty", Map.of());
        Object back = roundTrip(nested);
        assertThat(back).isEqualTo(nested);
        assertThat(new ArrayList<Object>(((Map<?, ?>) back).keySet())).containsExactly("level", "list", "empty");
    }

    @Test
    void writesEcmaArrayThatReadsBackAsMap() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("width", 1280.0);
        meta.put("encoder", "obs");
        ByteBuf buf = Unpooled.buffer();
        Amf0.writeEcmaArray(buf, meta);
        assertThat(buf.getByte(0)).isEqualTo((byte) 0x08);
        assertThat(buf.getInt(1)).isEqualTo(2);
        assertThat(Amf0.read(buf)).isEqualTo(meta);
    }

    @Test
    void readAllReadsACommandBody() {
        ByteBuf buf = Unpooled.buffer();
        Amf0.write(buf, "connect");
        Amf0.write(buf, 1.0);
        Amf0.write(buf, Map.of("app", "live"));
        assertThat(Amf0.readAll(buf)).containsExactly("connect", 1.0, Map.of("app", "live"));
    }

    @Test
    void truncatedInputIsAnError() {
        assertThatThrownBy(() -> Amf0.read(hex(""))).isInstanceOf(Amf0Exception.class);
        assertThatThrownBy(() -> Amf0.read(hex("00 3FF000"))).isInstanceOf(Amf0Exception.class);
        assertThatThrownBy(() -> Amf0.read(hex("02 0010 6162"))).isInstanceOf(Amf0Exception.class);
        assertThatThrownBy(() -> Amf0.read(hex("03 0001 7A"))).isInstanceOf(Amf0Exception.class);
        assertThatThrownBy(() -> Amf0.read(hex("03 0001 7A 00 3FF0000000000000")))
                .isInstanceOf(Amf0Exception.class);
        assertThatThrownBy(() -> Amf0.read(hex("0B 0000"))).isInstanceOf(Amf0Exception.class);
    }

    @Test
    void hugeDeclaredLengthsFailWithoutAllocating() {
        // 4 GiB long string, 4 billion element strict array: both must fail fast on a 5-byte input.
        assertThatThrownBy(() -> Amf0.read(hex("0C FFFFFFFF")))
                .isInstanceOf(Amf0Exception.class)
                .hasMessageContaining("exceeds");
        assertThatThrownBy(() -> Amf0.read(hex("0A FFFFFFFF 05")))
                .isInstanceOf(Amf0Exception.class)
                .hasMessageContaining("exceeds");
    }

    @Test
    void unknownAndUnsupportedMarkersAreErrors() {
        assertThatThrownBy(() -> Amf0.read(hex("07 0001"))).isInstanceOf(Amf0Exception.class);
        assertThatThrownBy(() -> Amf0.read(hex("11 00"))).isInstanceOf(Amf0Exception.class);
        assertThatThrownBy(() -> Amf0.read(hex("09"))).isInstanceOf(Amf0Exception.class);
        assertThatThrownBy(() -> Amf0.read(hex("42"))).isInstanceOf(Amf0Exception.class);
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        ByteBuf buf = Unpooled.buffer();
        for (int i = 0; i < 10_000; i++) {
            buf.writeByte(0x0A).writeInt(1); // strict array of one element, nested
        }
        buf.writeByte(0x05);
        assertThatThrownBy(() -> Amf0.read(buf))
                .isInstanceOf(Amf0Exception.class)
                .hasMessageContaining("nesting");
    }

    @Test
    void randomBytesNeverHangOrEscapeAsAnotherException() {
        java.util.Random random = new java.util.Random(1234);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            try {
                Amf0.readAll(buf);
            } catch (Amf0Exception expected) {
                // fine: malformed input is reported as such
            }
        }
    }

    @Test
    void unsupportedJavaValueCannotBeWritten() {
        List<Object> list = new ArrayList<>();
        list.add(new Object());
        assertThatThrownBy(() -> Amf0.write(Unpooled.buffer(), list)).isInstanceOf(IllegalArgumentException.class);
    }
}
