package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An RTMP command (RTMP 1.0, 7.2): name, transaction id, command object, then optional arguments, all AMF0.
 *
 * @param commandObject usually a {@code Map<String, Object>} or {@code null}
 */
record RtmpCommand(String name, double transactionId, Object commandObject, List<Object> arguments) {

    RtmpCommand {
        // AMF0 null is a legitimate argument, so not List.copyOf (which rejects nulls).
        arguments = arguments == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(arguments));
    }

    static RtmpCommand of(String name, double transactionId, Object commandObject, Object... arguments) {
        return new RtmpCommand(name, transactionId, commandObject, Arrays.asList(arguments));
    }

    /**
     * Decodes a command message body. For type 17 (AMF3 command) the body's leading format byte must be 0,
     * meaning AMF0 follows, which is what every encoder that publishes sends.
     */
    static RtmpCommand decode(RtmpMessage message) {
        ByteBuf body = message.content().duplicate();
        if (message.typeId() == RtmpMessageType.COMMAND_AMF3) {
            if (!body.isReadable() || body.readByte() != 0) {
                throw new Amf0Exception("AMF3-encoded command bodies are not supported");
            }
        }
        String name = stringOrNull(Amf0.read(body));
        if (name == null) {
            throw new Amf0Exception("command name is not a string");
        }
        Object txn = body.isReadable() ? Amf0.read(body) : null;
        double transactionId = txn instanceof Number ? ((Number) txn).doubleValue() : 0;
        Object commandObject = body.isReadable() ? Amf0.read(body) : null;
        List<Object> args = Amf0.readAll(body);
        return new RtmpCommand(name, transactionId, commandObject, args);
    }

    /** The i-th argument after the command object, or null if absent. */
    Object argument(int index) {
        if (index >= arguments.size()) {
            return null;
        }
        return arguments.get(index);
    }

    RtmpMessage encode(ByteBufAllocator alloc, int messageStreamId) {
        ByteBuf body = alloc.buffer(128);
        try {
            Amf0.write(body, name);
            Amf0.write(body, transactionId);
            Amf0.write(body, commandObject);
            for (Object arg : arguments) {
                Amf0.write(body, arg);
            }
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
        return new RtmpMessage(RtmpMessageType.COMMAND_AMF0, messageStreamId, 0, body);
    }

    private static String stringOrNull(Object v) {
        return v instanceof String ? (String) v : null;
    }
}
