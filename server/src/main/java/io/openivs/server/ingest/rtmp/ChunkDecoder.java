package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.List;

/**
 * Turns the RTMP chunk stream (RTMP 1.0 specification, section 5.3) into {@link RtmpMessage}s.
 *
 * <p>Handles 1-3 byte basic headers (chunk stream ids 2..65599), message header types 0-3 with timestamp
 * deltas, the extended timestamp (also on type 3 chunks whose stream's last header carried one), and
 * reassembly of messages whose chunks interleave with other chunk streams. Protocol control messages that
 * change how chunks are read are consumed here and not passed on: Set Chunk Size, Abort Message, Window
 * Acknowledgement Size (an Acknowledgement is written back after each window of received bytes) and the peer's
 * Acknowledgements. Everything the peer controls is bounded before it is allocated: chunk size, message length,
 * the total length of messages in progress at once and the number of chunk streams.
 *
 * <p>Until the peer is {@linkplain #trust() trusted} (its publish authorised) the bounds are those of a command
 * exchange, a few KiB per message: an anonymous peer cannot make the server hold more than that. Memory follows
 * the bytes that actually arrived, not the lengths the peer declared: a message split across chunks is gathered
 * in a pooled buffer that starts small and grows (for a trusted peer it starts at up to {@link #TRUSTED_INITIAL}
 * bytes, so that ordinary video frames still take one allocation and no copy beyond the gathering one).
 *
 * <p>A message that arrives in one chunk is passed on as a retained slice of the input.
 *
 * <p>{@link #bytesWanted()} says how many more bytes at least must arrive before the message in progress can
 * complete, so a reader that lets bytes gather in the kernel (SO_RCVLOWAT) can still wake as soon as it does.
 */
public final class ChunkDecoder extends ByteToMessageDecoder {
    public static final int DEFAULT_CHUNK_SIZE = 128;
    /** Larger chunk sizes are legal (up to 2^31-1) but no encoder needs them; refusing bounds buffering. */
    public static final int MAX_CHUNK_SIZE = 16 * 1024 * 1024;

    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 8 * 1024 * 1024;
    /**
     * Longest message accepted before the publish is authorised: connect, createStream, publish and an early
     * onMetaData are a few hundred bytes from every encoder we know.
     */
    public static final int DEFAULT_UNTRUSTED_MAX_MESSAGE_LENGTH = 16 * 1024;
    /** Chunk streams one connection may use; encoders use a handful (2 for control, 3-8 for commands and media). */
    public static final int MAX_CHUNK_STREAMS = 64;
    /** Initial capacity of a multi-chunk message's buffer for a trusted peer; most video frames fit. */
    static final int TRUSTED_INITIAL = 256 * 1024;
    /** Initial capacity for an untrusted peer: one default-size chunk's worth. */
    private static final int UNTRUSTED_INITIAL = 1024;

    private static final int[] MESSAGE_HEADER_LENGTH = {11, 7, 3, 0};
    private static final int TIMESTAMP_EXTENDED = 0xFFFFFF;

    /** What the previous chunk on one chunk stream said, and the message being gathered there if any. */
    private static final class ChunkStream {
        long timestamp;
        long timestampDelta;
        int messageLength;
        int typeId;
        int messageStreamId;
        boolean extendedTimestamp;
        ByteBuf partial;
    }

    private final int trustedMaxMessageLength;
    private int maxMessageLength;
    /** Bound on the sum of lengths of messages being gathered across all chunk streams. */
    private long maxPendingBytes;

    private int initialCapacity;
    private final IntObjectMap<ChunkStream> streams = new IntObjectHashMap<>();
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private long pendingBytes;
    /** Set whenever a chunk is not all here: the payload bytes of its message still to come... */
    private int shortfall;
    /** ...of which this many belong to that chunk... */
    private int chunkShortfall;
    /** ...on this chunk stream. */
    private int shortfallCsid;

    private long windowAckSize;
    private long bytesAtLastAck;
    private volatile long bytesReceived;
    private boolean failed;

    public ChunkDecoder() {
        this(DEFAULT_MAX_MESSAGE_LENGTH);
    }

    /** A decoder that trusts its peer from the start (tools and tests; the server starts untrusted). */
    public ChunkDecoder(int maxMessageLength) {
        this(maxMessageLength, maxMessageLength);
        trust();
    }

    /**
     * A decoder that holds its peer to {@code untrustedMaxMessageLength} until {@link #trust()} lifts the bound
     * to {@code maxMessageLength}.
     */
    public ChunkDecoder(int maxMessageLength, int untrustedMaxMessageLength) {
        if (maxMessageLength <= 0 || maxMessageLength > 0xFFFFFF) {
            throw new IllegalArgumentException("maxMessageLength must be in 1..16777215");
        }
        if (untrustedMaxMessageLength <= 0 || untrustedMaxMessageLength > maxMessageLength) {
            throw new IllegalArgumentException("untrustedMaxMessageLength must be in 1..maxMessageLength");
        }
        this.trustedMaxMessageLength = maxMessageLength;
        this.maxMessageLength = untrustedMaxMessageLength;
        this.maxPendingBytes = 2L * untrustedMaxMessageLength;
        this.initialCapacity = UNTRUSTED_INITIAL;
    }

    /** The peer's publish was authorised: media-sized messages from now on. Event loop only. */
    public void trust() {
        maxMessageLength = trustedMaxMessageLength;
        maxPendingBytes = 2L * trustedMaxMessageLength;
        initialCapacity = TRUSTED_INITIAL;
    }

    /** Bytes of chunk data consumed so far; readable from any thread. */
    public long bytesReceived() {
        return bytesReceived;
    }

    /**
     * A lower bound on the bytes still to come before a message in progress can complete (chunk headers not
     * counted), or 0 when none is in progress: everything received has been passed on. The message whose chunk
     * is partly here needs the rest of its payload; one gathering on another chunk stream needs at least the
     * rest of that chunk and then its own rest. A message that starts and ends within the gap is not foreseen
     * (encoders send a message's chunks back to back). Event loop only, between reads.
     */
    public int bytesWanted() {
        if (failed) {
            return 0;
        }
        boolean midChunk = internalBuffer().isReadable(); // the last attempt stopped short of a whole chunk
        if (!midChunk && pendingBytes == 0) {
            return 0;
        }
        long least = midChunk ? shortfall : Long.MAX_VALUE;
        if (pendingBytes > 0) {
            for (IntObjectMap.PrimitiveEntry<ChunkStream> e : streams.entries()) {
                ChunkStream cs = e.value();
                if (cs.partial != null && !(midChunk && e.key() == shortfallCsid)) {
                    long rest = cs.messageLength - cs.partial.writerIndex();
                    least = Math.min(least, midChunk ? chunkShortfall + rest : rest);
                }
            }
        }
        return (int) Math.max(1, Math.min(least, Integer.MAX_VALUE));
    }

    /**
     * Bytes still to arrive before this decoder sends its next Acknowledgement (at least 1), or
     * {@link Integer#MAX_VALUE} while the peer has not asked for any. Event loop only, between reads.
     */
    public int bytesUntilAcknowledgement() {
        if (windowAckSize <= 0) {
            return Integer.MAX_VALUE;
        }
        long due = windowAckSize
                - (bytesReceived - bytesAtLastAck)
                - internalBuffer().readableBytes();
        return (int) Math.max(1, Math.min(due, Integer.MAX_VALUE));
    }

    /** The chunk size the peer set (128 until it sends Set Chunk Size). */
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        try {
            if (!decodeChunk(ctx, in, out)) {
                return;
            }
        } catch (RuntimeException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        long received = bytesReceived + (in.readerIndex() - start);
        bytesReceived = received;
        if (windowAckSize > 0 && received - bytesAtLastAck >= windowAckSize) {
            bytesAtLastAck = received;
            ctx.writeAndFlush(ControlMessages.acknowledgement(ctx.alloc(), received & 0xFFFFFFFFL));
        }
    }

    /** Consumes one whole chunk and returns true, or consumes nothing and returns false if it is not all here yet. */
    private boolean decodeChunk(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int pos = in.readerIndex();
        int end = in.writerIndex();
        shortfall = 1; // until the header is all here, at least one more byte
        chunkShortfall = 1;
        shortfallCsid = -1;
        if (pos >= end) {
            return false;
        }
        int first = in.getUnsignedByte(pos++);
        int format = first >>> 6;
        int csid = first & 0x3F;
        if (csid == 0) {
            if (end - pos < 1) {
                return false;
            }
            csid = 64 + in.getUnsignedByte(pos++);
        } else if (csid == 1) {
            if (end - pos < 2) {
                return false;
            }
            csid = 64 + in.getUnsignedByte(pos) + (in.getUnsignedByte(pos + 1) << 8);
            pos += 2;
        }
        int headerLength = MESSAGE_HEADER_LENGTH[format];
        if (end - pos < headerLength) {
            return false;
        }
        ChunkStream cs = streams.get(csid);
        if (cs == null && format != 0) {
            throw new RtmpProtocolException("chunk stream " + csid + " starts with a type " + format + " header");
        }
        long timestampField = 0;
        int length = cs == null ? 0 : cs.messageLength;
        int typeId = cs == null ? 0 : cs.typeId;
        int messageStreamId = cs == null ? 0 : cs.messageStreamId;
        if (format <= 2) {
            timestampField = in.getUnsignedMedium(pos);
        }
        if (format <= 1) {
            length = in.getUnsignedMedium(pos + 3);
            typeId = in.getUnsignedByte(pos + 6);
        }
        if (format == 0) {
            messageStreamId = in.getIntLE(pos + 7);
        }
        pos += headerLength;
        boolean extended = format <= 2 ? timestampField == TIMESTAMP_EXTENDED : cs.extendedTimestamp;
        if (extended) {
            if (end - pos < 4) {
                return false;
            }
            if (format <= 2) {
                timestampField = in.getUnsignedInt(pos);
            }
            pos += 4; // on a type 3 chunk the field repeats what the stream's last header said
        }

        boolean continuation = cs != null && cs.partial != null;
        if (continuation && format != 3) {
            throw new RtmpProtocolException(
                    "chunk stream " + csid + " got a new message header before its message was complete");
        }
        if (!continuation && length > maxMessageLength) {
            throw new RtmpProtocolException("message length " + length + " exceeds the limit of " + maxMessageLength);
        }
        int remaining = continuation ? cs.messageLength - cs.partial.writerIndex() : length;
        int payloadLength = Math.min(chunkSize, remaining);
        if (end - pos < payloadLength) {
            shortfall = remaining - (end - pos);
            chunkShortfall = payloadLength - (end - pos);
            shortfallCsid = csid;
            return false;
        }

        // The whole chunk is here: commit its header to the chunk stream's state.
        if (cs == null) {
            if (streams.size() >= MAX_CHUNK_STREAMS) {
                throw new RtmpProtocolException("more than " + MAX_CHUNK_STREAMS + " chunk streams");
            }
            cs = new ChunkStream();
            streams.put(csid, cs);
        }
        if (!continuation) {
            switch (format) {
                case 0:
                    cs.timestamp = timestampField;
                    // A type 3 header for the next message reuses this as its delta (specification, 5.3.1.2.4).
                    cs.timestampDelta = timestampField;
                    break;
                case 1:
                case 2:
                    cs.timestampDelta = timestampField;
                    cs.timestamp = (cs.timestamp + timestampField) & 0xFFFFFFFFL;
                    break;
                default:
                    cs.timestamp = (cs.timestamp + cs.timestampDelta) & 0xFFFFFFFFL;
            }
            cs.messageLength = length;
            cs.typeId = typeId;
            cs.messageStreamId = messageStreamId;
        }
        if (format <= 2) {
            cs.extendedTimestamp = extended;
        }

        if (!continuation && payloadLength == length) {
            RtmpMessage message =
                    new RtmpMessage(typeId, messageStreamId, cs.timestamp, in.retainedSlice(pos, payloadLength));
            in.readerIndex(pos + payloadLength);
            deliver(ctx, message, out);
            return true;
        }
        if (!continuation) {
            if (pendingBytes + length > maxPendingBytes) {
                throw new RtmpProtocolException("too many bytes in unfinished messages across chunk streams");
            }
            // Grows as chunks arrive (up to the declared length): a declared length alone pins nothing.
            cs.partial = ctx.alloc().buffer(Math.min(length, Math.max(initialCapacity, payloadLength)), length);
            pendingBytes += length;
        }
        cs.partial.writeBytes(in, pos, payloadLength);
        in.readerIndex(pos + payloadLength);
        if (cs.partial.writerIndex() == cs.messageLength) {
            ByteBuf payload = cs.partial;
            cs.partial = null;
            pendingBytes -= cs.messageLength;
            deliver(ctx, new RtmpMessage(cs.typeId, cs.messageStreamId, cs.timestamp, payload), out);
        }
        return true;
    }

    private void deliver(ChannelHandlerContext ctx, RtmpMessage message, List<Object> out) {
        switch (message.typeId()) {
            case RtmpMessageType.SET_CHUNK_SIZE:
                try {
                    chunkSize = validChunkSize(readU32(message));
                } finally {
                    message.release();
                }
                return;
            case RtmpMessageType.ABORT:
                try {
                    abort((int) readU32(message));
                } finally {
                    message.release();
                }
                return;
            case RtmpMessageType.WINDOW_ACK_SIZE:
                try {
                    windowAckSize = readU32(message);
                } finally {
                    message.release();
                }
                return;
            case RtmpMessageType.ACKNOWLEDGEMENT:
                message.release(); // we do not throttle on the peer's acknowledgements
                return;
            default:
                out.add(message);
        }
    }

    private static int validChunkSize(long size) {
        // The top bit must be zero (specification, 5.4.1); 0 is meaningless; past our cap we refuse rather than
        // allocate.
        if (size < 1 || size > MAX_CHUNK_SIZE) {
            throw new RtmpProtocolException("unacceptable chunk size " + size);
        }
        return (int) size;
    }

    private void abort(int csid) {
        ChunkStream cs = streams.get(csid);
        if (cs != null && cs.partial != null) {
            pendingBytes -= cs.messageLength;
            cs.partial.release();
            cs.partial = null;
        }
    }

    private static long readU32(RtmpMessage message) {
        ByteBuf body = message.content();
        if (body.readableBytes() < 4) {
            throw new RtmpProtocolException("control message type " + message.typeId() + " shorter than 4 bytes");
        }
        return body.getUnsignedInt(body.readerIndex());
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        for (ChunkStream cs : streams.values()) {
            if (cs.partial != null) {
                cs.partial.release();
                cs.partial = null;
            }
        }
        streams.clear();
        pendingBytes = 0;
    }
}
