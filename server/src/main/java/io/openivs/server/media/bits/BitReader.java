package io.openivs.server.media.bits;

/**
 * Reads a byte array most significant bit first, as the H.264 and AAC bitstream syntax is written.
 * Running past the end throws {@link IllegalArgumentException}, which parsers report as malformed.
 */
public final class BitReader {

    private final byte[] data;
    private final int end;
    private long position;

    public BitReader(byte[] data) {
        this(data, 0, data.length);
    }

    public BitReader(byte[] data, int offset, int length) {
        this.data = data;
        this.position = (long) offset * 8;
        this.end = offset + length;
    }

    public int readBit() {
        if (position >= (long) end * 8) {
            throw new IllegalArgumentException("bitstream ends early");
        }
        int bit = (data[(int) (position >>> 3)] >> (7 - (int) (position & 7))) & 1;
        position++;
        return bit;
    }

    public boolean readFlag() {
        return readBit() == 1;
    }

    /** Reads {@code n} bits (0..32) as an unsigned value. */
    public long readBits(int n) {
        long value = 0;
        for (int i = 0; i < n; i++) {
            value = (value << 1) | readBit();
        }
        return value;
    }

    public int readInt(int n) {
        if (n > 31) {
            throw new IllegalArgumentException("use readBits for " + n + " bits");
        }
        return (int) readBits(n);
    }

    public void skipBits(int n) {
        if (position + n > (long) end * 8) {
            throw new IllegalArgumentException("bitstream ends early");
        }
        position += n;
    }

    /** Unsigned exp-Golomb code, ue(v). */
    public int readUe() {
        int leadingZeros = 0;
        while (readBit() == 0) {
            if (++leadingZeros > 31) {
                throw new IllegalArgumentException("exp-Golomb code too long");
            }
        }
        return (int) ((1L << leadingZeros) - 1 + readBits(leadingZeros));
    }

    /** Signed exp-Golomb code, se(v). */
    public int readSe() {
        int k = readUe();
        return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
    }

    public int bitsLeft() {
        return (int) ((long) end * 8 - position);
    }
}
