package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMF0 (Action Message Format 0) values as plain Java values.
 *
 * <p>Reading maps number to {@link Double}, boolean to {@link Boolean}, string and long string to {@link String},
 * object, typed object and ECMA array to a {@code Map<String, Object>} in wire order, strict array to a
 * {@code List<Object>}, date to {@link Instant}, and null/undefined/unsupported to {@code null}. Anything
 * malformed or truncated throws {@link Amf0Exception}; every length is checked against the bytes actually
 * present before anything is allocated, and nesting is bounded.
 */
public final class Amf0 {
    static final int NUMBER = 0x00;
    static final int BOOLEAN = 0x01;
    static final int STRING = 0x02;
    static final int OBJECT = 0x03;
    static final int NULL = 0x05;
    static final int UNDEFINED_MARKER = 0x06;
    static final int REFERENCE = 0x07;
    static final int ECMA_ARRAY = 0x08;
    static final int OBJECT_END = 0x09;
    static final int STRICT_ARRAY = 0x0A;
    static final int DATE = 0x0B;
    static final int LONG_STRING = 0x0C;
    static final int UNSUPPORTED = 0x0D;
    static final int XML_DOCUMENT = 0x0F;
    static final int TYPED_OBJECT = 0x10;
    static final int AVMPLUS_OBJECT = 0x11;

    /** Writes the AMF0 undefined marker; reads of undefined return {@code null}. */
    public enum Undefined {
        INSTANCE
    }

    public static final Undefined UNDEFINED = Undefined.INSTANCE;

    /** Deep enough for any real metadata; shallow enough that hostile nesting cannot exhaust the stack. */
    static final int MAX_DEPTH = 32;

    private Amf0() {}

    /** Reads one value, advancing the reader index past it. */
    public static Object read(ByteBuf in) {
        return readValue(in, 0);
    }

    /** Reads values until the buffer is exhausted (a command or data message body). */
    public static List<Object> readAll(ByteBuf in) {
        List<Object> values = new ArrayList<>();
        while (in.isReadable()) {
            values.add(readValue(in, 0));
        }
        return values;
    }

    private static Object readValue(ByteBuf in, int depth) {
        if (depth > MAX_DEPTH) {
            throw new Amf0Exception("AMF0 nesting deeper than " + MAX_DEPTH);
        }
        need(in, 1, "type marker");
        int marker = in.readUnsignedByte();
        switch (marker) {
            case NUMBER:
                need(in, 8, "number");
                return in.readDouble();
            case BOOLEAN:
                need(in, 1, "boolean");
                return in.readByte() != 0;
            case STRING:
                return readUtf8(in, readU16Length(in));
            case LONG_STRING:
            case XML_DOCUMENT:
                return readUtf8(in, readU32Length(in));
            case OBJECT:
                return readProperties(in, depth, false);
            case TYPED_OBJECT:
                readUtf8(in, readU16Length(in)); // class name: not needed by anything that reads RTMP metadata
                return readProperties(in, depth, false);
            case ECMA_ARRAY:
                need(in, 4, "ECMA array count");
                in.skipBytes(4); // the count is advisory; encoders get it wrong, the end marker is authoritative
                return readProperties(in, depth, true);
            case STRICT_ARRAY:
                return readStrictArray(in, depth);
            case DATE:
                need(in, 10, "date");
                double millis = in.readDouble();
                in.skipBytes(2); // time zone: reserved, should be 0
                if (!Double.isFinite(millis)) {
                    throw new Amf0Exception("AMF0 date is not finite");
                }
                return Instant.ofEpochMilli((long) millis);
            case NULL:
            case UNDEFINED_MARKER:
            case UNSUPPORTED:
                return null;
            case OBJECT_END:
                throw new Amf0Exception("AMF0 object end marker outside an object");
            case REFERENCE:
            case AVMPLUS_OBJECT:
                throw new Amf0Exception("unsupported AMF0 type 0x" + Integer.toHexString(marker));
            default:
                throw new Amf0Exception("unknown AMF0 type 0x" + Integer.toHexString(marker));
        }
    }

    private static Map<String, Object> readProperties(ByteBuf in, int depth, boolean endMarkerOptional) {
        Map<String, Object> map = new LinkedHashMap<>();
        while (true) {
            if (endMarkerOptional && !in.isReadable()) {
                return map; // some encoders end the onMetaData ECMA array at the end of the message
            }
            int keyLength = readU16Length(in);
            if (keyLength == 0) {
                need(in, 1, "object end marker");
                if (in.getUnsignedByte(in.readerIndex()) == OBJECT_END) {
                    in.skipBytes(1);
                    return map;
                }
            }
            String key = readUtf8(in, keyLength);
            map.put(key, readValue(in, depth + 1));
        }
    }

    private static List<Object> readStrictArray(ByteBuf in, int depth) {
        long count = readU32Length(in);
        // Every value takes at least one byte, so a count beyond the remaining bytes is a lie.
        if (count > in.readableBytes()) {
            throw new Amf0Exception(
                    "AMF0 strict array count " + count + " exceeds remaining " + in.readableBytes() + " bytes");
        }
        List<Object> list = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            list.add(readValue(in, depth + 1));
        }
        return list;
    }

    private static int readU16Length(ByteBuf in) {
        need(in, 2, "string length");
        return in.readUnsignedShort();
    }

    private static int readU32Length(ByteBuf in) {
        need(in, 4, "length");
        long length = in.readUnsignedInt();
        if (length > in.readableBytes()) {
            throw new Amf0Exception("AMF0 length " + length + " exceeds remaining " + in.readableBytes() + " bytes");
        }
        return (int) length;
    }

    private static String readUtf8(ByteBuf in, int length) {
        need(in, length, "string");
        String s = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return s;
    }

    private static void need(ByteBuf in, int bytes, String what) {
        if (in.readableBytes() < bytes) {
            throw new Amf0Exception(
                    "truncated AMF0 " + what + ": need " + bytes + " bytes, have " + in.readableBytes());
        }
    }

    /**
     * Writes one value. Accepts {@link Number}, {@link Boolean}, {@link CharSequence} (long string past 65535
     * UTF-8 bytes), {@link Map} (as an object), {@link List} (strict array), {@link Instant} (date), {@code null}
     * and {@link #UNDEFINED}.
     */
    public static void write(ByteBuf out, Object value) {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof Number) {
            out.writeByte(NUMBER).writeDouble(((Number) value).doubleValue());
        } else if (value instanceof Boolean) {
            out.writeByte(BOOLEAN).writeByte((Boolean) value ? 1 : 0);
        } else if (value instanceof CharSequence) {
            writeString(out, (CharSequence) value);
        } else if (value instanceof Map) {
            out.writeByte(OBJECT);
            writeProperties(out, (Map<?, ?>) value);
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            out.writeByte(STRICT_ARRAY).writeInt(list.size());
            for (Object item : list) {
                write(out, item);
            }
        } else if (value instanceof Instant) {
            out.writeByte(DATE).writeDouble(((Instant) value).toEpochMilli()).writeShort(0);
        } else if (value == UNDEFINED) {
            out.writeByte(UNDEFINED_MARKER);
        } else {
            throw new IllegalArgumentException(
                    "no AMF0 form for " + value.getClass().getName());
        }
    }

    /** Writes a map as an ECMA array (the form onMetaData uses). */
    public static void writeEcmaArray(ByteBuf out, Map<String, ?> map) {
        out.writeByte(ECMA_ARRAY).writeInt(map.size());
        writeProperties(out, map);
    }

    private static void writeProperties(ByteBuf out, Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            int length = ByteBufUtil.utf8Bytes(key);
            if (length > 0xFFFF) {
                throw new IllegalArgumentException("AMF0 property name longer than 65535 bytes");
            }
            out.writeShort(length);
            ByteBufUtil.reserveAndWriteUtf8(out, key, length);
            write(out, e.getValue());
        }
        out.writeShort(0).writeByte(OBJECT_END);
    }

    private static void writeString(ByteBuf out, CharSequence s) {
        int length = ByteBufUtil.utf8Bytes(s);
        if (length <= 0xFFFF) {
            out.writeByte(STRING).writeShort(length);
        } else {
            out.writeByte(LONG_STRING).writeInt(length);
        }
        ByteBufUtil.reserveAndWriteUtf8(out, s, length);
    }
}
